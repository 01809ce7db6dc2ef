"""Each request adds one task that records its id; shutdown writes the ids to FASTRAPI_TEST_TASK_LOG."""

from __future__ import annotations

import os
import time

from fastrapi import BackgroundTasks, FastrAPI

ran: list[str] = []


def write_ids() -> None:
    with open(os.environ["FASTRAPI_TEST_TASK_LOG"], "w") as log:
        log.write("\n".join(ran) + "\n")


app = FastrAPI(on_shutdown=[write_ids])


def record(job_id: str) -> None:
    time.sleep(0.002)  # some work, so tasks overlap and are still in flight at the stop
    ran.append(job_id)


@app.post("/jobs/{job_id}")
def add_job(job_id: str, background_tasks: BackgroundTasks):
    background_tasks.add_task(record, job_id)
    return {"job": job_id}
