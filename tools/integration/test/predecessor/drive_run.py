"""Drives one externally driven run through the predecessor's own executor API client.

Usage: drive_run.py <api_client.py> <server url> <operator api key> <run id>

The client module (hshk99/Autopack src/autopack/supervisor/api_client.py) is loaded from the path
given; it is never part of this repository. The calls and bodies are the ones its executor makes
(PhaseStatusUpdate, BuilderResult, AuditorResult, the approval request). Prints one JSON line per
step and exits non-zero on the first surprise.
"""

import importlib.util
import json
import sys


def load_client(path):
    spec = importlib.util.spec_from_file_location("predecessor_api_client", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    client_path, url, key, run_id = sys.argv[1:5]
    module = load_client(client_path)
    api = module.SupervisorApiClient(url, api_key=key, default_timeout=10.0)

    def step(name, value):
        print(json.dumps({"step": name, "value": value}), flush=True)
        return value

    def expect(condition, message):
        if not condition:
            print(json.dumps({"failed": message}), flush=True)
            sys.exit(1)

    health = step("health", api.check_health())
    expect(health.get("service") == "autopack", "health names the service")

    run = step("run", api.get_run(run_id))
    expect(run["id"] == run_id and run["state"] == "RUN_CREATED", "a new run is RUN_CREATED")
    queued = [p["phase_id"] for p in run["phases"] if p["state"] == "QUEUED"]
    expect(len(queued) == 2, "two phases queued")

    for phase_id in queued:
        step("executing", api.update_phase_status(run_id, phase_id, "EXECUTING"))
        step(
            "builder_result",
            api.submit_builder_result(
                run_id,
                phase_id,
                {
                    "phase_id": phase_id,
                    "run_id": run_id,
                    "run_type": "project_build",
                    "allowed_paths": ["src/"],
                    "patch_content": "diff --git a/src/a.py b/src/a.py\n",
                    "files_changed": ["src/a.py"],
                    "lines_added": 3,
                    "lines_removed": 1,
                    "builder_attempts": 1,
                    "tokens_used": 500,
                    "duration_minutes": 0.5,
                    "probe_results": [{"probe_type": "pytest", "exit_code": 0, "stdout": "3 passed", "stderr": "", "duration_seconds": 1.5}],
                    "suggested_issues": [],
                    "status": "success",
                    "notes": "",
                },
            ),
        )
        step(
            "auditor_result",
            api.submit_auditor_result(
                run_id,
                phase_id,
                {
                    "phase_id": phase_id,
                    "run_id": run_id,
                    "review_notes": "looks right",
                    "issues_found": [],
                    "suggested_patches": [{"description": "rename", "patch_content": "diff --git a/src/a.py b/src/a.py\n", "files_affected": ["src/a.py"]}],
                    "auditor_attempts": 1,
                    "tokens_used": 100,
                    "recommendation": "approve",
                },
            ),
        )
        step("complete", api.update_phase_status(run_id, phase_id, "COMPLETE"))

    run = step("finished", api.get_run(run_id))
    expect(run["state"] == "DONE_SUCCESS", "the run is DONE_SUCCESS")
    expect(run["completed_at"] is not None, "completed_at is written")
    expect(run["tokens_used"] == 1200, "tokens of both phases' builders and auditors are counted")
    expect(all(p["state"] == "COMPLETE" for p in run["phases"]), "every phase COMPLETE")

    # Its approval call on a finished phase: refused with a 4xx its client raises as an HTTP error.
    try:
        api.request_approval({"phase_id": queued[0], "run_id": run_id, "context": "build113_risky_decision", "decision_info": {"type": "risky"}})
        expect(False, "an approval on a COMPLETE phase is refused")
    except module.SupervisorApiHttpError as err:
        body = json.loads(err.response_body)
        # Its client reports status 0 for every 4xx (a Response with an error status is falsy): the body tells.
        step("approval_refused", {"status": err.status_code, "body": body})
        expect(body.get("detail") and body["error"]["code"] in ("illegal_transition", "lease_required"), "a 4xx with detail")


if __name__ == "__main__":
    main()
