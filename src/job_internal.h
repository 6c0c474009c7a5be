/* job_internal: what the job queue (job.c) and its workers (job_worker.c) share. Private to
 * the job module: the context a handler runs in and the clock leases are measured by. */
#ifndef LANTERNE_JOB_INTERNAL_H
#define LANTERNE_JOB_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "job.h"

struct job_ctx {
    const char *worker;
    atomic_int *stop; /* the worker's stop request */
    atomic_int lost;  /* the heartbeat found the job taken over */
    int final_open;   /* job_begin_final opened the completion transaction */
    int give_up;      /* job_ctx_give_up: this failure is the last */
};

/* Worker clocks decide leases, so the machines of a multi-node set-up must keep their clocks
 * in step (NTP); a skew much smaller than the lease is harmless. */
int64_t job_now_ms(void);

/* job_fail, telling the caller which way it went: 0 requeued, 2 dead, 1 lost, -1 error. */
int job_fail_state(struct db *db, int64_t id, const char *worker, const char *message, int last,
                   struct err *e);

#endif
