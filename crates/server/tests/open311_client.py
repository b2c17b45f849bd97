"""Drives Wushe's Open311 endpoints with the georeport client library (PyPI `georeport`).

    python3 open311_client.py BASE_URL API_KEY GRID_ID

georeport reads (service list, requests, one request); it has no call to file a request, so filing is a
form POST with `requests` (georeport's own HTTP library), exactly as the GeoReport v2 standard describes
it. Exits non-zero with a message on the first disagreement.
"""
import sys

import requests
from georeport import GeoReport

base, key, grid = sys.argv[1], sys.argv[2], sys.argv[3]
root = base.rstrip("/") + "/open311/v2"
client = GeoReport(root, api_key=key)

services = client.get_service_list()
codes = [s["service_code"] for s in services]
assert "道路破损" in codes, codes

filed = requests.post(
    root + "/requests.json",
    data={
        "api_key": client.api_key,
        "service_code": "道路破损",
        "description": "井盖松动，车辆经过有响声",
        "address_string": "3栋北门",
        "lat": "28.2",
        "long": "112.9",
        "attribute[grid_id]": grid,
    },
)
assert filed.status_code == 201, (filed.status_code, filed.text)
rid = filed.json()[0]["service_request_id"]

listed = client.get_service_requests(status="open", service_code="道路破损")
assert any(r["service_request_id"] == rid for r in listed), listed
one = client.get_service_request(rid)
# A report's own words are published only after the community accepts it.
assert one["status"] == "open" and one["address"] == "" and one["description"] == "", one
assert "reporter_id" not in one and "household_id" not in one, one

bad = requests.post(root + "/requests.json", data={"api_key": "wrong", "service_code": "道路破损", "description": "x"})
assert bad.status_code == 403 and bad.json()[0]["code"] == 403, bad.text
print("georeport client: 1 passed, 0 failed")
