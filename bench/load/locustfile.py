"""The load test's users (Locust): anonymous visitors, affiliate members editing
drafts, reviewers scoring and staff listing, in the proportions 40/30/20/10.

Run by bench/load.py, which prepares the data and the signed-in sessions and reads
what this file writes. It runs in its own virtualenv (Locust and gevent only): it
does not import Django, it speaks HTTP to 127.0.0.1 like a browser would.

Environment:
  LOAD_PERSONAS  the JSON file of bench/load.py's setup (sessions, drafts, reviews)
  LOAD_WRITES    where to write, at the end, every save the clients attempted
  LOAD_BARE      "1": send every request of the same mix to the bare view instead
                 (/bare/, a fixed JSON body), for the overhead ratio

Every save is tracked: which record, the version the client's form carried, the
unique text it wrote and how the server answered (saved: a redirect or 200; stale:
412, somebody saved first). bench/load.py compares these with the rows and their
history afterwards: that is the lost-update check.
"""

import itertools
import json
import os
import random
import time
import uuid
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

PERSONAS = json.loads(open(os.environ["LOAD_PERSONAS"]).read())  # noqa: SIM115
BARE = os.environ.get("LOAD_BARE") == "1"
WRITES: list[dict] = []
# Each user of a kind takes the next persona of that kind (gevent: one thread).
_next = {kind: itertools.count() for kind in ("member", "reviewer", "staff")}
PACKETS_AT_MOST = 1
_packets = itertools.count()
SEARCH_WORDS = ["heritage", "training", "archive", "photo", "women", "library"]


class FormParser(HTMLParser):
    """The fields of the page's POST forms, as a browser would send them unchanged:
    inputs (checked radios and boxes only), selected options and textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select and "selected" in a:
                self._form["fields"][self._select] = a.get("value", "")
            return
        fields = self._form["fields"]
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                fields[name] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def post_form(html: str, must_have: str) -> dict | None:
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if must_have in form["fields"]:
            return form["fields"]
    return None


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    kind = ""

    def on_start(self):
        self.persona = None
        if self.kind:
            people = PERSONAS[self.kind]
            self.persona = people[next(_next[self.kind]) % len(people)]
            self.client.cookies.set(PERSONAS["session_cookie"], self.persona["session"])
        self.client.headers["Accept-Language"] = "en"
        # As the TLS proxy in front of a deployment says (gunicorn believes it from
        # 127.0.0.1): the portal then answers as it does in production.
        self.client.headers["X-Forwarded-Proto"] = "https"

    def plain_cookies(self):
        """The portal marks its cookies Secure; the client talks plain HTTP to
        127.0.0.1 behind the pretend proxy, so it must send them all the same."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def https(self, path: str) -> str:
        """The page's address as the browser behind the proxy knows it (the
        portal checks the Referer of a form sent over HTTPS)."""
        return self.host.replace("http://", "https://") + path

    def page(self, path: str) -> str:
        """A page in the person's own language (see personas.prefix_for)."""
        return (self.persona or {}).get("prefix", "") + path

    def get(self, name: str, path: str):
        """A page that must answer 200 itself: a redirect (to sign in, to set up
        two-factor, to another language) counts as a failure."""
        if BARE:
            return self.client.get("/bare/", name=name)
        self.plain_cookies()
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {path}")
            return response

    def save(self, name: str, page: str, must_have: str, change: dict, record: dict):
        """GET the form, change some fields, POST it back; track the outcome."""
        if BARE:
            self.client.get("/bare/", name=f"{name} (form)")
            self.client.post("/bare/", name=name, data=change)
            return
        form_page = self.get(f"{name} (form)", page)
        if form_page.status_code != 200:
            return
        fields = post_form(form_page.text, must_have)
        if fields is None:
            form_page.failure(f"no form with {must_have} on {page}")
            return
        fields.update(change)
        time.sleep(random.uniform(0.5, 2))  # noqa: S311 - typing the change
        self.plain_cookies()
        write = {
            **record,
            "base": fields.get("version", ""),
            "value": change[record["field"]],
            "sent": time.time(),
        }
        with self.client.post(
            page,
            name=name,
            data=fields,
            headers={"Referer": self.https(page)},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            write["status"] = response.status_code
            write["done"] = time.time()
            if response.status_code in (200, 302, 303):
                write["outcome"] = "saved"
                response.success()
            elif response.status_code == 412:
                write["outcome"] = "stale"  # somebody saved first: expected
                response.success()
            else:
                write["outcome"] = "error"
                response.failure(f"{response.status_code} saving {page}")
        WRITES.append(write)


class Visitor(PortalUser):
    """Anonymous browsing: home, funded grants (with search), a grant, directory."""

    weight = 40

    @task(3)
    def home(self):
        self.get("home", "/")

    @task(4)
    def funded(self):
        self.get("funded grants", "/grants/funded/")

    @task(2)
    def search(self):
        word = random.choice(SEARCH_WORDS)  # noqa: S311
        self.get("funded grants ?q=", f"/grants/funded/?q={word}")

    @task(3)
    def grant(self):
        pk = random.choice(PERSONAS["funded"])  # noqa: S311
        self.get("funded grant", f"/grants/funded/{pk}/")

    @task(2)
    def directory(self):
        self.get("affiliate directory", "/affiliates/")


class Member(PortalUser):
    """An affiliate admin working on a draft; two users share each draft (the same
    person in two tabs), so saves do collide."""

    weight = 30
    kind = "member"

    @task(2)
    def dashboard(self):
        self.get("dashboard (member)", self.page("/home/"))

    @task(3)
    def proposals(self):
        self.get("proposal list (member)", self.page("/grants/proposals/"))

    @task(2)
    def proposal(self):
        self.get(
            "proposal (member)",
            self.page(f"/grants/proposals/{self.persona['draft']}/"),
        )

    @task(3)
    def edit_draft(self):
        pk = self.persona["draft"]
        text = f"Plan revised by load user {uuid.uuid4().hex}. " * 3
        self.save(
            "save draft plan",
            self.page(f"/grants/proposals/{pk}/edit/plan/"),
            "description",
            {"description": text.strip(), "go": "plan"},
            {"model": "proposal", "pk": pk, "field": "description"},
        )


class Reviewer(PortalUser):
    """A committee member scoring the proposals assigned to them (a draft review,
    saved again and again)."""

    weight = 20
    kind = "reviewer"

    @task(2)
    def queue(self):
        self.get("review queue", self.page("/grants/reviews/"))

    @task(2)
    def read(self):
        pk = random.choice(self.persona["proposals"])  # noqa: S311
        self.get("proposal (reviewer)", self.page(f"/grants/proposals/{pk}/"))

    @task(3)
    def score(self):
        pk = random.choice(self.persona["proposals"])  # noqa: S311
        change = {
            "note_to_committee": f"Scored under load {uuid.uuid4().hex}",
            "action": "save",
        }
        for criterion in self.persona["criteria"][str(pk)]:
            change[f"score_{criterion}"] = str(random.randint(1, 5))  # noqa: S311
        self.save(
            "save review",
            self.page(f"/grants/reviews/{pk}/"),
            "note_to_committee",
            change,
            {
                "model": "review",
                "proposal": pk,
                "user": self.persona["user"],
                "field": "note_to_committee",
            },
        )


class Staff(PortalUser):
    """Programme staff going through their lists and the API."""

    weight = 10
    kind = "staff"

    @task(3)
    def inbox(self):
        self.get("staff inbox", self.page("/grants/staff/"))

    @task(2)
    def proposal_list(self):
        self.get(
            "proposal list (staff)", self.page("/grants/proposals/?status=submitted")
        )

    @task(2)
    def api_proposals(self):
        self.get("API proposals (staff)", "/api/v1/proposals/?ordering=-updated_at")

    @task(1)
    def api_reports(self):
        self.get("API reports (staff)", "/api/v1/reports/")

    @task(1)
    def compliance(self):
        self.get("compliance overview", self.page("/affiliates/compliance/"))

    @task(1)
    def packet(self):
        """Ask for a round packet now and then: the task workers build it while
        the load goes on (once a run: PACKETS_AT_MOST)."""
        if next(_packets) >= PACKETS_AT_MOST:
            return
        if BARE:
            self.client.post("/bare/", name="ask for a round packet")
            return
        page = self.get("ranking (staff)", self.page(PERSONAS["packet_page"]))
        fields = post_form(page.text, "csrfmiddlewaretoken") or {}
        self.plain_cookies()
        self.client.post(
            self.page(PERSONAS["packet_start"]),
            name="ask for a round packet",
            data={"csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", "")},
            headers={"Referer": self.https(self.page(PERSONAS["packet_page"]))},
        )


@events.quitting.add_listener
def write_tracked_saves(environment, **kwargs):
    path = os.environ.get("LOAD_WRITES")
    if path:
        with open(path, "w") as out:
            json.dump(WRITES, out)
