"""What the add-on wrote on an object, kept as JSON in the object's RECORD property (json only, so
the panel can read it without numpy)."""

import json

RECORD = "partdistill"
RECORD_VERSION = 1


def read_record(obj) -> dict | None:
    raw = obj.get(RECORD)
    try:
        return json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def write_record(obj, record: dict) -> None:
    obj[RECORD] = json.dumps({"version": RECORD_VERSION, **record})
