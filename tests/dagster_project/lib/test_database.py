from dagster_project.lib.database import dbt_env, sqlalchemy_url


def test_dbt_env_reads_a_tcp_url():
    env = dbt_env("postgresql://payroll:s3cret@db.internal:6543/warehouse?sslmode=require")
    assert env == {
        "PAYROLL_DBT_HOST": "db.internal",
        "PAYROLL_DBT_PORT": "6543",
        "PAYROLL_DBT_USER": "payroll",
        "PAYROLL_DBT_PASSWORD": "s3cret",
        "PAYROLL_DBT_DBNAME": "warehouse",
        "PAYROLL_DBT_SSLMODE": "require",
    }


def test_dbt_env_reads_the_embedded_unix_socket_url():
    env = dbt_env("postgresql://postgres:@/postgres?host=/work/.payroll/pgdata")
    assert env["PAYROLL_DBT_HOST"] == "/work/.payroll/pgdata"
    assert env["PAYROLL_DBT_PORT"] == "5432"
    assert env["PAYROLL_DBT_USER"] == "postgres"
    assert env["PAYROLL_DBT_DBNAME"] == "postgres"


def test_sqlalchemy_url_pins_the_psycopg2_driver():
    assert sqlalchemy_url("postgresql://u@h:5432/d") == "postgresql+psycopg2://u@h:5432/d"
