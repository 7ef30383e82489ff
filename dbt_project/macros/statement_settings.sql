{#-
    Settings of each model's transaction (a project-wide pre-hook):
    - no JIT: compiling a statement's expressions took hundreds of ms to
      seconds (7.8 s for fct_payroll, optimized) — more than the statements
      take on a year of a tenant's rows;
    - sorts and hashes in memory: a year's shift parts are sorted several
      times, and at the server's default 4 MB each sort spilled to disk.
-#}
{% macro statement_settings() -%}
    set local jit = off;
    set local work_mem = '128MB'
{%- endmacro %}
