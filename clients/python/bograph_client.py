"""bograph_client - a small client for the bograph REST API (standard library only).

    from bograph_client import Client

    c = Client("http://127.0.0.1:8080", token=None)
    study = c.create_study("demo",
                           parameters=[{"name": "x", "type": "float", "low": -5, "high": 10}],
                           objective={"name": "y", "goal": "minimize"},
                           budget=30, if_exists="return")
    while True:
        trials, done = c.suggest(study["id"], count=1, worker="me")
        if done:
            break
        for t in trials:
            c.complete(study["id"], t["id"], metrics={"y": (t["params"]["x"] - 2) ** 2})
    print(c.best(study["id"])["best"])
    print(c.structure(study["id"])["edges"])   # the learned graph

Besides studies and trials it covers every route of the API: structure,
set_knowledge, importance, plugins, plugin, healthz, metrics and openapi.

Errors from the service raise BographError with the HTTP status, the error
code, the message and the offending field. Requests that fail to reach the
service are retried a few times: every call is safe to repeat (completing
twice with the same result is a no-op, and a worker asking again for
suggestions gets the trials it already holds).
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["Client", "BographError"]


class BographError(Exception):
    """An error answer of the service (or no answer at all: status 0)."""

    def __init__(self, status, code, message, field=None):
        super().__init__("%s %s: %s%s" % (status, code, message,
                                          " (field %s)" % field if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field


class Client:
    def __init__(self, url="http://127.0.0.1:8080", token=None, timeout=120.0, retries=3):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries

    # -- plumbing ---------------------------------------------------------

    def request(self, method, path, body=None, query=None, raw=False):
        """One API call; returns the decoded JSON answer (with raw=True, the
        answer's text as it came, for the non-JSON /metrics)."""
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            # NaN and Infinity are not JSON: refuse them here, clearly.
            data = json.dumps(body, allow_nan=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        last = None
        for attempt in range(self.retries + 1):
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    text = resp.read().decode("utf-8")
                    return text if raw else json.loads(text)
            except urllib.error.HTTPError as e:
                raw = e.read().decode("utf-8", "replace")
                try:
                    err = json.loads(raw)["error"]
                except (ValueError, KeyError, TypeError):
                    err = {"code": "http_%d" % e.code, "message": raw[:200]}
                raise BographError(e.code, err.get("code"), err.get("message"),
                                   err.get("field")) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                last = e
                if attempt < self.retries:
                    time.sleep(0.2 * (2 ** attempt))
        raise BographError(0, "unreachable", "cannot reach %s: %s" % (self.url, last))

    # -- studies ----------------------------------------------------------

    def create_study(self, name, parameters=None, objective=None, **fields):
        """Creates a study (201) or, with if_exists="return", returns the
        existing one of that name. Other fields: plugin, constraints,
        default, algorithm, knowledge, budget, lease_seconds, seed,
        log_format, if_exists."""
        body = {"name": name}
        if parameters is not None:
            body["parameters"] = parameters
        if objective is not None:
            body["objective"] = objective
        body.update({k: v for k, v in fields.items() if v is not None})
        return self.request("POST", "/v1/studies", body)

    def studies(self):
        return self.request("GET", "/v1/studies")["studies"]

    def study(self, study_id):
        return self.request("GET", "/v1/studies/%s" % study_id)

    def delete_study(self, study_id):
        return self.request("DELETE", "/v1/studies/%s" % study_id)

    def best(self, study_id):
        """{"best": trial or None, "default": trial or None}"""
        return self.request("GET", "/v1/studies/%s/best" % study_id)

    def importance(self, study_id):
        """Parameter importance from a GP's ARD length-scales:
        {"method", "description", "at_trial", "importance": [{"name", "value"}, ...]}
        (largest first). BographError 404 before 5 completed trials."""
        return self.request("GET", "/v1/studies/%s/importance" % study_id)

    # -- structure and expert knowledge -----------------------------------

    def structure(self, study_id):
        """The graph the study has learnt from its trials' metrics:
        {"nodes": [{"name", "kind"}], "edges": [{"from", "to", "weight", "source"}],
        "learned_at_trial", "algorithm"}; kind is param, metric or objective,
        source is learned or expert."""
        return self.request("GET", "/v1/studies/%s/structure" % study_id)

    def set_knowledge(self, study_id, knowledge=None, edges=None, forbidden=None, models=None):
        """Replaces the study's expert knowledge and returns the study.
        knowledge is a whole {"edges", "forbidden", "models"} object (e.g. a
        plugin's); edges, forbidden ([[from, to], ...]) and models
        ({node: formula}) set those parts over it. Nothing given clears it.
        Bad knowledge raises BographError 400 with the entry as field
        (e.g. "knowledge.edges[1]") and changes nothing."""
        body = dict(knowledge or {})
        for key, value in (("edges", edges), ("forbidden", forbidden), ("models", models)):
            if value is not None:
                body[key] = value
        return self.request("PUT", "/v1/studies/%s/knowledge" % study_id, body)

    # -- trials -----------------------------------------------------------

    def suggest(self, study_id, count=1, worker=None):
        """Returns (trials, done): up to count active trials leased to worker,
        and whether the study's budget is spent."""
        body = {"count": count}
        if worker:
            body["worker"] = worker
        ans = self.request("POST", "/v1/studies/%s/suggest" % study_id, body)
        return ans["trials"], bool(ans.get("done"))

    def complete(self, study_id, trial_id, metrics=None, logs=None, log_format=None):
        body = {}
        if metrics is not None:
            body["metrics"] = metrics
        if logs is not None:
            body["logs"] = logs
        if log_format is not None:
            body["log_format"] = log_format
        return self.request("POST", "/v1/studies/%s/trials/%s/complete" % (study_id, trial_id), body)

    def fail(self, study_id, trial_id, reason="", infeasible=False):
        return self.request("POST", "/v1/studies/%s/trials/%s/fail" % (study_id, trial_id),
                            {"reason": reason, "infeasible": bool(infeasible)})

    def heartbeat(self, study_id, trial_id):
        return self.request("POST", "/v1/studies/%s/trials/%s/heartbeat" % (study_id, trial_id), {})

    def add_trial(self, study_id, params, metrics=None, state=None, reason=None):
        """Adds an already evaluated trial (warm start)."""
        body = {"params": params}
        if metrics is not None:
            body["metrics"] = metrics
        if state is not None:
            body["state"] = state
        if reason is not None:
            body["reason"] = reason
        return self.request("POST", "/v1/studies/%s/trials" % study_id, body)

    def trial(self, study_id, trial_id):
        return self.request("GET", "/v1/studies/%s/trials/%s" % (study_id, trial_id))

    def trials(self, study_id, state=None, after_seq=0, page=500):
        """Iterates over the study's trials by seq (all pages)."""
        while True:
            ans = self.request("GET", "/v1/studies/%s/trials" % study_id,
                               query={"state": state, "after_seq": after_seq, "limit": page})
            for t in ans["trials"]:
                yield t
            if not ans["trials"]:
                return
            after_seq = ans["next_after_seq"]

    # -- plugins and service ----------------------------------------------

    def plugins(self):
        """The target systems the service knows, each with its parameters,
        objective, constraints, default, knowledge, log format and options."""
        return self.request("GET", "/v1/plugins")["plugins"]

    def plugin(self, name):
        """One plugin's description; BographError 404 for an unknown name."""
        return self.request("GET", "/v1/plugins/%s" % urllib.parse.quote(name, safe=""))

    def healthz(self):
        """{"status": "ok"} while the service runs (never needs the token)."""
        return self.request("GET", "/healthz")

    def metrics(self):
        """The service's Prometheus metrics, as text."""
        return self.request("GET", "/metrics", raw=True)

    def openapi(self):
        """The API's OpenAPI 3 document."""
        return self.request("GET", "/v1/openapi.json")
