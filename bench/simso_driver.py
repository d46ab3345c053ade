"""Runs one periodic task set under SimSo's global EDF with zero overheads (driven by
bench/simso-compare.ts). Reads {cpus, horizon, tasks: [{period, wcet, deadline}]} as JSON on
stdin, in whole nanoseconds; writes one JSON object on stdout: every job (task, release,
deadline, end or null) and SimSo's own counts of job migrations, task migrations and
preemptions. SimSo's time unit is set to one "ms" = one cycle, so SimSo's "ms" is our
nanosecond and every date is an exact integer.
"""
import contextlib
import io
import json
import sys

from simso.configuration import Configuration
from simso.core import Model


def main():
    spec = json.load(sys.stdin)
    config = Configuration()
    config.cycles_per_ms = 1
    config.duration = spec["horizon"]
    config.etm = "wcet"
    for i, t in enumerate(spec["tasks"]):
        # Late jobs run to completion (no abort), as in Migration Lab.
        config.add_task(name="T%d" % i, identifier=i, period=t["period"], activation_date=0,
                        wcet=t["wcet"], deadline=t["deadline"], abort_on_miss=False)
    for c in range(spec["cpus"]):
        config.add_processor(name="CPU%d" % c, identifier=c)
    config.scheduler_info.clas = "simso.schedulers.EDF"
    config.check_all()
    model = Model(config)
    # SimSo's EDF prints every decision: keep stdout for the result.
    with contextlib.redirect_stdout(io.StringIO()):
        model.run_model()
    results = model.results
    jobs = []
    stopped_at_end = 0
    for i, task in enumerate(model.task_list):
        task_result = results.tasks[task]
        for job in task_result.jobs:
            jobs.append({"task": i, "release": job.activation_date, "deadline": job.absolute_deadline,
                         "end": job.end_date})
        # A job stopped with work done and not resumed before the end: SimSo counts a
        # preemption only when the job resumes.
        waiting = task_result.waiting_jobs
        if waiting and task_result.execute_date is None and task_result.preempt_date is not None \
                and waiting[0].computation_time > 0:
            stopped_at_end += 1
    print(json.dumps({
        "now": model.now(),
        "jobs": jobs,
        "jobMigrations": results.total_migrations,
        "taskMigrations": results.total_task_migrations,
        # SimSo interrupts the running job at every scheduler event on its CPU and counts each
        # reload as a preemption; preemption_inter_count keeps those where another job ran in
        # between, i.e. where the job really was preempted.
        "preemptionsSameCpu": sum(t.preemption_inter_count for t in results.tasks.values()),
        "interruptionsSameCpu": results.total_preemptions,
        "stoppedAtEnd": stopped_at_end,
    }))


if __name__ == "__main__":
    main()
