"""bograph_client - a small client for the bograph REST API (standard library only).

The common case, as short as Optuna's:

    from bograph_client import Client

    study = Client("http://127.0.0.1:8080").create_study(
        "demo", parameters=[{"name": "x", "type": "float", "low": -5, "high": 10}],
        objective={"name": "y", "goal": "minimize"}, budget=30, if_exists="return")
    study.optimize(lambda trial: (trial["x"] - 2) ** 2, n_trials=30, n_jobs=2)
    print(study.best_trial["params"])

The objective gets a Trial (trial["x"], trial.params, trial.report(name,
value) for intermediate metrics the graph model learns from) and returns the
objective's value (or a dict of metrics holding it); raising Infeasible marks
the configuration as one that cannot run. A study of several objectives
(objectives=[{"name": "energy"}, {"name": "latency"}]) takes a tuple of
their values, in the study's order, and study.best_trials is its Pareto
set. The same loop by hand:

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

Besides studies and trials it covers every route of the API: update_study
(PATCH: budget, name, state), import_trials (bulk, all or nothing, with
idempotency keys), export_csv, predict, structure, set_knowledge,
importance, plugins, plugin, healthz, metrics and openapi.

Errors from the service raise BographError with the HTTP status, the error
code, the message and the offending field. Requests that fail to reach the
service are retried a few times: every call is safe to repeat (completing
twice with the same result is a no-op, a worker asking again for
suggestions gets the trials it already holds, and add_trial and
import_trials send an idempotency key, so a retried import stores nothing
twice).
"""

import json
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = ["Client", "BographError", "Study", "Trial", "Infeasible"]


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
                text = e.read().decode("utf-8", "replace")
                try:
                    err = json.loads(text)["error"]
                except (ValueError, KeyError, TypeError):
                    err = {"code": "http_%d" % e.code, "message": text[:200]}
                raise BographError(e.code, err.get("code"), err.get("message"),
                                   err.get("field")) from None
            except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
                last = e
                if attempt < self.retries:
                    time.sleep(0.2 * (2 ** attempt))
        raise BographError(0, "unreachable", "cannot reach %s: %s" % (self.url, last))

    # -- studies ----------------------------------------------------------

    def create_study(self, name, parameters=None, objective=None, objectives=None, **fields):
        """Creates a study (201) or, with if_exists="return", returns the
        existing one of that name. objectives (2 to 4 {"name", "goal"})
        instead of objective makes a study of several objectives. Other
        fields: plugin, plugin_options, constraints, parameter_constraints
        (["tp * pp <= 64", ...]), default, algorithm,
        knowledge, budget, lease_seconds, seed, log_format, if_exists."""
        body = {"name": name}
        if parameters is not None:
            body["parameters"] = parameters
        if objective is not None:
            body["objective"] = objective
        if objectives is not None:
            body["objectives"] = objectives
        body.update({k: v for k, v in fields.items() if v is not None})
        return Study(self, self.request("POST", "/v1/studies", body))

    def studies(self):
        return [Study(self, s) for s in self.request("GET", "/v1/studies")["studies"]]

    def study(self, study_id):
        """The study (a Study: a dict of the API's fields, with optimize)."""
        return Study(self, self.request("GET", "/v1/studies/%s" % study_id))

    def update_study(self, study_id, budget=None, name=None, state=None):
        """Changes the study (PATCH) and returns it: a new budget (raising the
        budget of a done study makes it active again; a budget below the
        trials already started, expired ones included, is a 400), name or
        state ("active", "done")."""
        body = {k: v for k, v in (("budget", budget), ("name", name), ("state", state))
                if v is not None}
        return Study(self, self.request("PATCH", "/v1/studies/%s" % study_id, body))

    def delete_study(self, study_id):
        return self.request("DELETE", "/v1/studies/%s" % study_id)

    def best(self, study_id):
        """{"best": trial or None, "default": trial or None}; for a study of
        several objectives {"pareto": [trial, ...], "default": trial or None}:
        the completed trials meeting the constraints that no other dominates."""
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

    def add_trial(self, study_id, params, metrics=None, state=None, reason=None, key=None):
        """Adds an already evaluated trial (warm start). key makes it
        idempotent (a key the study holds answers with the stored trial);
        without one a fresh key is sent, so a retry cannot store it twice."""
        body = {"params": params, "key": key or uuid.uuid4().hex}
        if metrics is not None:
            body["metrics"] = metrics
        if state is not None:
            body["state"] = state
        if reason is not None:
            body["reason"] = reason
        return self.request("POST", "/v1/studies/%s/trials" % study_id, body)

    def import_trials(self, study_id, trials):
        """Adds many evaluated trials at once, all or nothing: trials is a list
        of {"params", "metrics", "state", "reason", "logs", "log_format",
        "key"} (at most 10,000). A trial whose key the study holds is not
        stored again. Returns {"trials": [stored trials, in order],
        "created": how many were new}. One bad trial raises BographError 400
        with field "trials[i]..." and stores nothing."""
        return self.request("POST", "/v1/studies/%s/trials" % study_id, {"trials": list(trials)})

    def export_csv(self, study_id, state=None):
        """The study's trials as CSV text: number, state, each parameter, the
        objective (or each objective of a study of several), each other
        metric, model, created_at, finished_at."""
        return self.request("GET", "/v1/studies/%s/trials" % study_id,
                            query={"format": "csv", "state": state}, raw=True)

    def predict(self, study_id, params=None, params_list=None):
        """What the study's model expects: one prediction {"objective":
        {"mean", "sd"}, "metrics": {...}, "model"} for params (a dict), or a
        list of them for params_list; for a study of several objectives
        "objective" is None and "objectives" maps each name to its
        {"mean", "sd"}. BographError 409 while the study has
        too few trials for a model."""
        if params_list is not None:
            return self.request("POST", "/v1/studies/%s/predict" % study_id,
                                {"params_list": list(params_list)})["predictions"]
        return self.request("POST", "/v1/studies/%s/predict" % study_id,
                            {"params": params})["predictions"][0]

    def ask(self, study_id, count=1, worker=None):
        """The suggest answer as it is: {"trials", "done"} and, when trials is
        empty and done is false (other workers hold the rest of the budget,
        or every configuration of a small space), "retry_after_seconds": the
        seconds to wait before asking again."""
        body = {"count": count}
        if worker:
            body["worker"] = worker
        return self.request("POST", "/v1/studies/%s/suggest" % study_id, body)

    def optimize(self, study_id, fn, n_trials=None, n_jobs=1, catch=(), worker=None):
        """Study(...).optimize for a study id: see Study.optimize."""
        return self.study(study_id).optimize(fn, n_trials=n_trials, n_jobs=n_jobs, catch=catch,
                                             worker=worker)

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


class Infeasible(Exception):
    """Raised by an objective function: the configuration cannot run (out of
    memory, refused): the trial is reported infeasible, a very bad outcome
    the model learns to avoid, and optimize goes on."""


class Trial:
    """One configuration handed to an objective function by Study.optimize:
    trial["x"] or trial.params["x"] its values, trial.number, trial.id,
    trial.explanation (what the model expected of it), and report(name,
    value) for intermediate metrics (the graph model learns from them).
    A conditional parameter is in the trial only while its condition
    holds: "momentum" in trial, trial.get("momentum", default)."""

    def __init__(self, study, data):
        self.study = study
        self.data = data
        self.id = data["id"]
        self.number = data["number"]
        self.params = data["params"]
        self.model = data.get("model")
        self.explanation = data.get("explanation")
        self.metrics = {}

    def __getitem__(self, name):
        return self.params[name]

    def __contains__(self, name):
        return name in self.params

    def get(self, name, default=None):
        """The parameter's value, or default when it is inactive."""
        return self.params.get(name, default)

    def report(self, name, value):
        """Records a metric of this trial, sent with its result."""
        self.metrics[name] = float(value)

    def heartbeat(self):
        """Extends the trial's lease (optimize does this while fn runs)."""
        return self.study.client.heartbeat(self.study["id"], self.id)


class Study(dict):
    """A study as the API returns it (a dict), bound to its client."""

    def __init__(self, client, data):
        super().__init__(data)
        self.client = client

    @property
    def objective_names(self):
        """The names of the study's objectives, in order (one for most studies)."""
        many = self.get("objectives")
        if many:
            return [o["name"] for o in many]
        return [(self.get("objective") or {}).get("name")]

    @property
    def best_trial(self):
        """The best completed trial meeting the constraints, or None.
        RuntimeError for a study of several objectives: see best_trials."""
        if self.get("objectives"):
            raise RuntimeError("a study of several objectives has no single best trial; "
                               "best_trials is its Pareto set")
        return self.client.best(self["id"]).get("best")

    @property
    def best_trials(self):
        """The Pareto set of a study of several objectives (the completed
        trials meeting the constraints that no other dominates, in trial
        order); for a study of one objective, [best trial] or []."""
        ans = self.client.best(self["id"])
        if "pareto" in ans:
            return ans["pareto"]
        return [ans["best"]] if ans.get("best") else []

    def trials(self, state=None):
        return list(self.client.trials(self["id"], state=state))

    def predict(self, params):
        return self.client.predict(self["id"], params=params)

    def optimize(self, fn, n_trials=None, n_jobs=1, catch=(), worker=None):
        """Runs fn(trial) on n_trials configurations the service proposes
        (None: until the study's budget is spent; fewer when the budget ends
        first), n_jobs at a time in threads, each thread its own worker. fn
        returns the objective's value (for a study of several objectives a
        tuple or list of their values, in the study's order), or a dict of
        metrics holding it (them);
        raising Infeasible marks the configuration infeasible. Any other
        exception marks the trial failed with the exception as reason and,
        unless its class is in catch, stops optimize and is raised again once
        the running trials have finished. While other workers hold the rest
        of the budget, the jobs wait as the service says
        (retry_after_seconds). worker names the jobs (default host-pid;
        "<worker>-<j>" for several): a worker gets its own unfinished trials
        back first. Returns the trials this call finished."""
        n_jobs = max(1, int(n_jobs))
        base = worker or "%s-%d" % (socket.gethostname(), os.getpid())
        run = _OptimizeRun(self, fn, n_trials, catch)
        # one job keeps the worker name as given, so a rerun gets its own
        # unfinished trials back; several are "<worker>-<j>"
        threads = [threading.Thread(target=run.job,
                                    args=(base if n_jobs == 1 else "%s-%d" % (base, j),),
                                    daemon=True)
                   for j in range(n_jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if run.error is not None:
            raise run.error
        return run.finished


class _OptimizeRun:
    """The state Study.optimize's jobs share."""

    def __init__(self, study, fn, n_trials, catch):
        self.study, self.fn, self.catch = study, fn, tuple(catch)
        self.left = n_trials
        self.lock = threading.Lock()
        self.stop = False
        self.error = None
        self.finished = []
        self.objectives = study.objective_names
        self.lease = float(study.get("lease_seconds") or 600.0)

    def claim(self):
        with self.lock:
            if self.stop or (self.left is not None and self.left <= 0):
                return False
            if self.left is not None:
                self.left -= 1
            return True

    def unclaim(self):
        with self.lock:
            if self.left is not None:
                self.left += 1

    def job(self, worker):
        c, sid = self.study.client, self.study["id"]
        while self.claim():
            try:
                ans = c.ask(sid, 1, worker)
            except BographError as e:
                self.fail_run(e)
                return
            if not ans["trials"]:
                self.unclaim()
                if ans.get("done"):
                    return
                time.sleep(float(ans.get("retry_after_seconds") or 1))
                continue
            self.run_trial(Trial(self.study, ans["trials"][0]))

    def fail_run(self, e):
        with self.lock:
            self.stop = True
            if self.error is None:
                self.error = e

    def run_trial(self, trial):
        c, sid = self.study.client, self.study["id"]
        done = threading.Event()
        beat = threading.Thread(target=self.heartbeats, args=(trial, done), daemon=True)
        beat.start()
        try:
            value = self.fn(trial)
        except Infeasible as e:
            done.set()
            self.finished.append(c.fail(sid, trial.id, reason=str(e) or "infeasible",
                                        infeasible=True))
            return
        except Exception as e:  # the objective's own failure: reported, then raised
            done.set()
            self.finished.append(c.fail(sid, trial.id, reason="%s: %s" % (type(e).__name__, e)))
            if not isinstance(e, self.catch):
                self.fail_run(e)
            return
        finally:
            done.set()
            beat.join()
        try:
            metrics = self.result_metrics(trial, value)
        except (TypeError, ValueError) as e:
            self.finished.append(c.fail(sid, trial.id, reason="%s: %s" % (type(e).__name__, e)))
            self.fail_run(e)
            return
        self.finished.append(c.complete(sid, trial.id, metrics=metrics))

    def result_metrics(self, trial, value):
        """The metrics to complete a trial with: fn's dict, its value for the
        one objective, or its tuple of values for several."""
        metrics = dict(trial.metrics)
        if isinstance(value, dict):
            metrics.update(value)
        elif len(self.objectives) == 1:
            metrics[self.objectives[0]] = float(value)
        else:
            values = list(value) if isinstance(value, (tuple, list)) else None
            if values is None or len(values) != len(self.objectives):
                raise ValueError("the objective function must return %d values (%s), got %r"
                                 % (len(self.objectives), ", ".join(self.objectives), value))
            for name, v in zip(self.objectives, values):
                metrics[name] = float(v)
        return metrics

    def heartbeats(self, trial, done):
        """Extends the lease every third of it while the objective runs."""
        while not done.wait(max(1.0, self.lease / 3.0)):
            try:
                trial.heartbeat()
            except BographError:
                return
