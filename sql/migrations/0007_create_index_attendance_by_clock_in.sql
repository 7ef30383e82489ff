create index attendance_by_tenant_clock_in
    on raw.attendance (tenant_id, clock_in)
