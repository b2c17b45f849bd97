"""Renders a migration template into the SQLite and PostgreSQL sets, so the two cannot drift apart.

    python3 crates/store/migrations/template/render.py 0003_volunteers.sql
"""
import pathlib, sys

here = pathlib.Path(__file__).parent
dialects = {
    "sqlite": {"UUID": "BLOB", "TS": "TEXT", "DATE": "TEXT", "BYTES": "BLOB", "C": ""},
    "postgres": {"UUID": "uuid", "TS": "timestamptz", "DATE": "date", "BYTES": "bytea", "C": ' COLLATE "C"'},
}
for name in sys.argv[1:]:
    text = (here / name).read_text()
    for dialect, types in dialects.items():
        out = text
        for k, v in types.items():
            out = out.replace("{" + k + "}", v)
        header = f"-- Generated from migrations/template/{name} by render.py; edit the template.\n"
        (here.parent / dialect / name).write_text(header + out)
