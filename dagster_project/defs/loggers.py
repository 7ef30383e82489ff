"""Dagster's own lines (``context.log``, run and step events) in our log
format: the same JSON or console lines as the CLI's, with the run id,
tenant, period, job and step of each."""

from __future__ import annotations

import logging

import dagster as dg

from dagster_project.lib.logs import ensure_logging


@dg.logger(
    config_schema={"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="Structured log lines (PAYROLL_LOG_FORMAT: json or console) on stderr.",
)
def payroll_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    # a run worker launched from the UI has not configured logging yet: our
    # modules' lines in its steps get the same handler as the CLI's
    ensure_logging()
    logger = logging.Logger("dagster", init_context.logger_config["log_level"].upper())
    logger.addHandler(_ToOurHandlers())
    return logger


class _ToOurHandlers(logging.Handler):
    """Dagster's records through the root logger's handlers: stderr at the
    operator's level, the run log (``payroll run``) at INFO."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger().handle(record)


def defs() -> dg.Definitions:
    # named "console" like Dagster's default, so run config that sets the
    # console level (the CLI's in-process runs) keeps working
    return dg.Definitions(loggers={"console": payroll_console_logger})
