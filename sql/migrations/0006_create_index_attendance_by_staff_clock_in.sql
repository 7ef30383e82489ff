create index attendance_by_tenant_staff_clock_in
    on raw.attendance (tenant_id, staff_id, clock_in)
