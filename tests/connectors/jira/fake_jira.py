"""A small stateful Jira (REST v2) on pytest-httpserver, spoken to by the real ``jira`` client.

It keeps projects, issues, comments and a workflow, checks the login (Basic for Cloud, Bearer
for Server), answers JQL searches on ``project``, ``labels`` and ``status``, and refuses as
Jira does: ``errorMessages`` and ``errors`` by field id. Faults are planned per request
(``plan``): an answer once (500, 429 with Retry-After, broken JSON), a hang until the test
sets ``release``, or (``after_doing``) the work done and its answer lost on the way back.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

API = "/rest/api/2/"
EMAIL = "sopbot@acme.example"
TOKEN = "jira-tok-7c1e94b2d05a"
ACCOUNT = "557058:f3a1-sopbot"
WORKFLOW = {  # status: {transition id: (transition name, target status)}
    "To Do": {"11": ("Start progress", "In Progress"), "31": ("Resolve", "Done")},
    "In Progress": {"21": ("Stop progress", "To Do"), "31": ("Resolve", "Done")},
    "Done": {"41": ("Reopen", "To Do")},
}
FIELDS = [
    {"id": "summary", "name": "Summary", "custom": False, "clauseNames": ["summary"]},
    {"id": "labels", "name": "Labels", "custom": False, "clauseNames": ["labels"]},
    {"id": "duedate", "name": "Due date", "custom": False, "clauseNames": ["due", "duedate"]},
    {"id": "customfield_10010", "name": "Severity", "custom": True, "clauseNames": ["cf[10010]"]},
    {"id": "customfield_10020", "name": "Team", "custom": True, "clauseNames": ["cf[10020]"]},
    {"id": "customfield_10021", "name": "Team", "custom": True, "clauseNames": ["cf[10021]"]},
]
SEVERITIES = ("S1", "S2", "S3")
PERMISSIONS = (
    "BROWSE_PROJECTS",
    "CREATE_ISSUES",
    "ADD_COMMENTS",
    "TRANSITION_ISSUES",
    "ASSIGN_ISSUES",
)
_CLAUSE = re.compile(r'\s*(project|labels|status)\s*=\s*("[^"]*"|[\w.-]+)\s*', re.IGNORECASE)

Answer = Callable[[Request], Response]


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(data), status, headers, content_type="application/json")


def refusal(status: int, messages: list[str] | None = None, **errors: str) -> Response:
    """Jira's error body."""
    return _json({"errorMessages": messages or [], "errors": errors}, status)


@dataclass
class Planned:
    """A fault for the next request matching ``method`` and ``path`` (below the API root)."""

    method: str
    path: str
    answer: Answer | None  # None: hang until ``release``, then answer normally
    after_doing: bool = False  # do the request's work first, then answer ``answer``


@dataclass
class FakeJira:
    server: HTTPServer
    deployment: str = "Cloud"
    server_time: dt.datetime = field(
        default_factory=lambda: dt.datetime(2026, 12, 2, 9, 0, 5, tzinfo=dt.UTC)
    )
    projects: dict[str, list[str]] = field(
        default_factory=lambda: {"BUG": ["Billing", "Export"], "OPS": []}
    )
    users: set[str] = field(default_factory=lambda: {"557058:ana", "ana"})
    denied: set[str] = field(default_factory=set)
    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    planned: list[Planned] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    hanging: threading.Event = field(default_factory=threading.Event)

    def install(self) -> FakeJira:
        self.server.expect_request(re.compile(f"^{API}.*")).respond_with_handler(self._handle)
        return self

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def plan(
        self, method: str, path: str, answer: Answer | None, *, after_doing: bool = False
    ) -> None:
        """The next ``method`` request to ``path`` (a regex below /rest/api/2/) answers
        ``answer`` instead (after doing its work, with ``after_doing``), or hangs until
        ``release`` when it is None."""
        self.planned.append(Planned(method, path, answer, after_doing))

    def requests(self, method: str, path: str) -> list[Request]:
        """The requests received so far to ``path`` (a regex below /rest/api/2/)."""
        return [
            request
            for request, _response in self.server.log
            if request.method == method and re.fullmatch(path, request.path.removeprefix(API))
        ]

    # -- the REST API ---------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        path = request.path.removeprefix(API)
        planned = next(
            (p for p in self.planned if p.method == request.method and re.fullmatch(p.path, path)),
            None,
        )
        if planned is not None:
            self.planned.remove(planned)
            if planned.answer is None:
                self.hanging.set()
                self.release.wait(timeout=30)
            elif planned.after_doing:
                self._answer(request, path)
                return planned.answer(request)
            else:
                return planned.answer(request)
        return self._answer(request, path)

    def _answer(self, request: Request, path: str) -> Response:
        if path != "serverInfo" and not self._authenticated(request):  # public, as in Jira
            return Response("Client must be authenticated to access this resource.", 401)
        for pattern, method, answer in self._routes():
            match = re.fullmatch(pattern, path)
            if match and request.method == method:
                return answer(request, *match.groups())
        return refusal(404, [f"no route {request.method} {path} in the fake"])

    def _routes(self) -> list[tuple[str, str, Callable[..., Response]]]:
        return [
            ("serverInfo", "GET", self._server_info),
            ("myself", "GET", self._myself),
            ("field", "GET", lambda _request: _json(FIELDS)),
            ("mypermissions", "GET", self._permissions),
            ("issue", "POST", self._create),
            (r"issue/([^/]+)", "GET", self._get),
            (r"issue/([^/]+)/transitions", "GET", self._transitions),
            (r"issue/([^/]+)/transitions", "POST", self._transition),
            (r"issue/([^/]+)/comment", "POST", self._comment),
            (r"issue/([^/]+)/assignee", "PUT", self._assign),
            ("search/jql" if self.deployment == "Cloud" else "search", "GET", self._search),
        ]

    def _authenticated(self, request: Request) -> bool:
        if self.deployment == "Cloud":
            expected = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
            return request.headers.get("Authorization") == f"Basic {expected}"
        return request.headers.get("Authorization") == f"Bearer {TOKEN}"

    def _server_info(self, _request: Request) -> Response:
        stamp = self.server_time.strftime("%Y-%m-%dT%H:%M:%S.000%z")
        return _json(
            {
                "baseUrl": self.url,
                "version": "1001.0.0-SNAPSHOT" if self.deployment == "Cloud" else "9.12.2",
                "versionNumbers": [1001, 0, 0] if self.deployment == "Cloud" else [9, 12, 2],
                "deploymentType": self.deployment,
                "serverTime": stamp,
                "serverTitle": "Acme Jira",
            }
        )

    def _myself(self, _request: Request) -> Response:
        if self.deployment == "Cloud":
            return _json({"accountId": ACCOUNT, "displayName": "sopbot", "emailAddress": EMAIL})
        return _json({"name": "sopbot", "key": "JIRAUSER10100", "displayName": "sopbot"})

    def _permissions(self, request: Request) -> Response:
        asked = (request.args.get("permissions") or "").split(",")
        return _json(
            {
                "permissions": {
                    key: {"key": key, "type": "PROJECT", "havePermission": key not in self.denied}
                    for key in asked
                    if key in PERMISSIONS
                }
            }
        )

    def _create(self, request: Request) -> Response:
        if "CREATE_ISSUES" in self.denied:
            return refusal(403, ["You do not have permission to create issues in this project."])
        fields = json.loads(request.get_data())["fields"]
        project = fields.get("project", {}).get("key")
        if project not in self.projects:
            return refusal(400, project="valid project is required")
        if fields.get("issuetype", {}).get("name") not in {"Bug", "Task", "Story"}:
            return refusal(400, issuetype="The issue type selected is invalid.")
        if not fields.get("summary"):
            return refusal(400, summary="You must specify a summary of the issue.")
        for name in [part["name"] for part in fields.get("components", [])]:
            if name not in self.projects[project]:
                return refusal(400, components=f"Component name '{name}' is not valid")
        if any(" " in label for label in fields.get("labels", [])):
            return refusal(400, labels="The label must not contain spaces.")
        for key in fields:
            if key.startswith("customfield_") and key != "customfield_10010":
                return refusal(
                    400,
                    **{
                        key: f"Field '{key}' cannot be set. It is not on the appropriate "
                        "screen, or unknown."
                    },
                )
        severity = fields.get("customfield_10010")
        if severity is not None and (severity or {}).get("value") not in SEVERITIES:
            return refusal(400, customfield_10010=f"Option value '{severity}' is not valid")
        number = 101 + sum(1 for issue in self.issues.values() if issue["project"] == project)
        key = f"{project}-{number}"
        self.issues[key] = {
            "project": project,
            "summary": fields["summary"],
            "description": fields.get("description"),
            "issuetype": fields["issuetype"]["name"],
            "priority": fields.get("priority", {}).get("name", "Medium"),
            "labels": list(fields.get("labels", [])),
            "components": [part["name"] for part in fields.get("components", [])],
            "severity": severity,
            "status": "To Do",
            "assignee": None,
        }
        return _json({"id": str(10000 + len(self.issues)), "key": key, "self": ""}, 201)

    def _raw(self, key: str) -> dict[str, Any]:
        issue = self.issues[key]
        who = "accountId" if self.deployment == "Cloud" else "name"
        return {
            "id": str(10000 + list(self.issues).index(key) + 1),
            "key": key,
            "self": f"{self.url}{API}issue/{key}",
            "fields": {
                "summary": issue["summary"],
                "description": issue["description"],
                "issuetype": {"name": issue["issuetype"]},
                "priority": {"name": issue["priority"]},
                "labels": issue["labels"],
                "components": [{"name": name} for name in issue["components"]],
                "status": {"name": issue["status"]},
                "assignee": (
                    {who: issue["assignee"], "displayName": issue["assignee"]}
                    if issue["assignee"]
                    else None
                ),
                "customfield_10010": issue["severity"],
            },
        }

    def _missing(self) -> Response:
        return refusal(404, ["Issue does not exist or you do not have permission to see it."])

    def _get(self, _request: Request, key: str) -> Response:
        return _json(self._raw(key)) if key in self.issues else self._missing()

    def _transitions(self, _request: Request, key: str) -> Response:
        if key not in self.issues:
            return self._missing()
        here = WORKFLOW[self.issues[key]["status"]]
        return _json(
            {
                "transitions": [
                    {"id": tid, "name": name, "to": {"name": target}}
                    for tid, (name, target) in here.items()
                ]
            }
        )

    def _transition(self, request: Request, key: str) -> Response:
        if key not in self.issues:
            return self._missing()
        wanted = json.loads(request.get_data())["transition"]["id"]
        here = WORKFLOW[self.issues[key]["status"]]
        if str(wanted) not in here:
            return refusal(400, [f"Transition id '{wanted}' is not valid for this issue."])
        self.issues[key]["status"] = here[str(wanted)][1]
        return Response(status=204)

    def _comment(self, request: Request, key: str) -> Response:
        if key not in self.issues:
            return self._missing()
        comments = self.comments.setdefault(key, [])
        comment = {"id": str(20000 + sum(map(len, self.comments.values()))), "body": ""}
        comment["body"] = json.loads(request.get_data())["body"]
        comments.append(comment)
        return _json(comment, 201)

    def _assign(self, request: Request, key: str) -> Response:
        if "ASSIGN_ISSUES" in self.denied:
            return refusal(403, ["You do not have permission to assign issues."])
        if key not in self.issues:
            return self._missing()
        body = json.loads(request.get_data())
        who = body.get("accountId" if self.deployment == "Cloud" else "name")
        if who not in self.users:
            return refusal(400, assignee=f"User '{who}' does not exist.")
        self.issues[key]["assignee"] = who
        return Response(status=204)

    def _search(self, request: Request) -> Response:
        jql = re.split(r"\s+ORDER\s+BY\s+", request.args["jql"], flags=re.IGNORECASE)[0]
        conditions = []
        for clause in re.split(r"\s+AND\s+", jql.strip(), flags=re.IGNORECASE):
            match = _CLAUSE.fullmatch(clause)
            if match is None:
                return refusal(400, [f"Error in the JQL Query: cannot read '{clause}'."])
            conditions.append((match.group(1).lower(), match.group(2).strip('"')))
        found = [
            key
            for key, issue in self.issues.items()
            if all(
                value in (issue[name] if isinstance(issue[name], list) else [issue[name]])
                for name, value in conditions
            )
        ]
        wanted = int(request.args.get("maxResults", 50))
        page = [self._raw(key) for key in found[:wanted]]
        if self.deployment == "Cloud":
            return _json({"issues": page, "isLast": len(found) <= wanted})
        return _json({"startAt": 0, "maxResults": wanted, "total": len(found), "issues": page})
