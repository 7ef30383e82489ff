"""``payroll tax-forms``: Form 941 (by quarter), Form 940 and the W-2 boxes of
a year, by pay date, from ``marts.rpt_form_941``, ``rpt_form_940`` and
``rpt_w2``, as one CSV (a ``form`` column) or JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from dagster_project.lib.database import transaction

COLUMNS = ("form", "tax_year", "quarter", "staff_id", "line", "code", "amount")
# the forms' own order of lines and boxes
_LINE_ORDER = [
    "1",
    "2",
    "3",
    "5a_wages",
    "5a_tax",
    "5b_wages",
    "5b_tax",
    "5c_wages",
    "5c_tax",
    "5d_wages",
    "5d_tax",
    "5e",
    "6",
    "7",
    "9",
    "10",
]
_BOX_ORDER = ["1", "2", "3", "4", "5", "6", "7", "12", "14", "16", "17"]


@dataclass(frozen=True)
class TaxForms:
    tenant_id: str
    tax_year: int
    rows: list[dict[str, object]]

    def of(self, form: str) -> list[dict[str, object]]:
        return [row for row in self.rows if row["form"] == form]


def load_tax_forms(url: str, tenant_id: str, tax_year: int, quarter: int | None) -> TaxForms:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute(
            """
            select '941', tax_year, quarter, null, line, null, amount
            from marts.rpt_form_941
            where tenant_id = %(tenant)s and tax_year = %(year)s
                and (%(quarter)s::integer is null or quarter = %(quarter)s)
            order by quarter, array_position(%(lines)s::text[], line)
            """,
            {"tenant": tenant_id, "year": tax_year, "quarter": quarter, "lines": _LINE_ORDER},
        )
        rows = cur.fetchall()
        cur.execute(
            """
            select '940', tax_year, null, null, line, null, amount
            from marts.rpt_form_940
            where tenant_id = %s and tax_year = %s
            order by line::integer
            """,
            (tenant_id, tax_year),
        )
        rows += cur.fetchall()
        cur.execute(
            """
            select 'W-2', tax_year, null, staff_id, box, code, amount
            from marts.rpt_w2
            where tenant_id = %s and tax_year = %s
            order by staff_id, array_position(%s::text[], box), code
            """,
            (tenant_id, tax_year, _BOX_ORDER),
        )
        rows += cur.fetchall()
    return TaxForms(tenant_id, tax_year, [dict(zip(COLUMNS, row, strict=True)) for row in rows])


def render_csv(forms: TaxForms) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["tenant_id", *COLUMNS])
    for row in forms.rows:
        writer.writerow([forms.tenant_id, *(row[c] for c in COLUMNS)])
    return out.getvalue()


def render_json(forms: TaxForms) -> str:
    def value(v: object) -> object:
        return str(v) if isinstance(v, Decimal) else v

    payload = {
        "tenant_id": forms.tenant_id,
        "tax_year": forms.tax_year,
        "form_941": [
            {"quarter": r["quarter"], "line": r["line"], "amount": value(r["amount"])}
            for r in forms.of("941")
        ],
        "form_940": [{"line": r["line"], "amount": value(r["amount"])} for r in forms.of("940")],
        "w2": [
            {
                "staff_id": r["staff_id"],
                "box": r["line"],
                "code": r["code"],
                "amount": value(r["amount"]),
            }
            for r in forms.of("W-2")
        ],
    }
    return json.dumps(payload, indent=2)
