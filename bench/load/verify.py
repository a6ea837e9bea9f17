"""The lost-update check of the load test: `python bench/load/verify.py WRITES STARTED`.

WRITES is what the Locust clients attempted (bench/load/locustfile.py): for each
save, the record, the version its form carried (`base`), the unique text it wrote and
the answer (saved, stale = 412, error). STARTED is when the test began (epoch
seconds). For every record written, with the record's history since then:

1. each saved text is in the history exactly once (nothing accepted was dropped);
2. no refused text is anywhere (nothing refused was half-written);
3. the row holds the newest text of its history (nothing written after was undone);
4. no two saves were accepted from the same version: the second would have
   overwritten the first without its author having seen it. That is the lost
   update itself, which the version check (portal/versions.py) must prevent.

Prints the counts and every violation; exits 1 if there is one.
"""

import datetime
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from grants.models import Proposal  # noqa: E402
from grants.models.reviews import Review  # noqa: E402


def main(writes_path: str, started: str) -> int:
    writes = json.loads(Path(writes_path).read_text())
    since = datetime.datetime.fromtimestamp(float(started), tz=datetime.UTC)
    users = dict(get_user_model().objects.values_list("username", "pk"))
    by_record = defaultdict(list)
    for write in writes:
        if write["model"] == "proposal":
            key = ("proposal", write["pk"])
        else:
            key = ("review", write["proposal"], users[write["user"]])
        by_record[key].append(write)

    outcomes = Counter(w["outcome"] for w in writes)
    problems = []
    for key, record_writes in by_record.items():
        field = record_writes[0]["field"]
        if key[0] == "proposal":
            row = Proposal.objects.get(pk=key[1])
        else:
            row = Review.objects.get(proposal_id=key[1], reviewer_id=key[2])
        texts = list(
            row.history.filter(history_date__gte=since)
            .order_by("history_id")
            .values_list(field, flat=True)
        )
        in_history = Counter(texts)
        saved = [w for w in record_writes if w["outcome"] == "saved"]
        refused = [w for w in record_writes if w["outcome"] != "saved"]
        for write in saved:
            if in_history[write["value"]] != 1:
                problems.append(
                    f"{key}: a saved text is in the history "
                    f"{in_history[write['value']]} times"
                )
        for write in refused:
            if write["value"] in in_history or getattr(row, field) == write["value"]:
                problems.append(
                    f"{key}: a refused save ({write['status']}) was written"
                )
        newest = texts[-1] if texts else None
        if saved and getattr(row, field) != newest:
            problems.append(f"{key}: the row does not hold its newest history text")
        bases = Counter(w["base"] for w in saved)
        for base, count in bases.items():
            if count > 1:
                problems.append(
                    f"{key}: {count} saves accepted from the same version {base[:8]}"
                )
    print(
        f"{len(writes)} saves tracked on {len(by_record)} records: "
        f"{outcomes['saved']} saved, {outcomes['stale']} refused as stale (412), "
        f"{outcomes['error']} failed otherwise; "
        f"{len(problems)} lost or inconsistent updates"
    )
    for problem in problems[:50]:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
