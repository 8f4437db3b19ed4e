//! An ordered pool: one producer thread, several worker threads, and the
//! caller's thread consuming the results in the order the jobs were made.
//!
//! Jobs are dealt to the workers in turn and results are collected in the same
//! turn, so order is kept without sequence numbers or reordering buffers.

use std::sync::mpsc;
use std::thread;

/// Why a pool stopped before its jobs were done.
#[derive(Debug)]
pub(super) enum Stopped<E> {
    /// The producer or the consumer returned this error.
    Failed(E),
    /// A thread of the pool panicked.
    Panicked(&'static str),
}

/// Make jobs with `produce` (it gets a `send` that returns false once the pool
/// is stopping), run `work` on them across `workers` threads, and give each
/// result to `consume` in job order. `bound` jobs wait per worker at most,
/// which caps the memory held in flight.
pub(super) fn run_ordered<J, R, E, P, W, C>(
    workers: usize,
    bound: usize,
    produce: P,
    work: W,
    mut consume: C,
) -> Result<(), Stopped<E>>
where
    J: Send,
    R: Send,
    E: Send,
    P: FnOnce(&mut dyn FnMut(J) -> bool) -> Result<(), E> + Send,
    W: Fn(J) -> R + Sync,
    C: FnMut(R) -> Result<(), E>,
{
    let workers = workers.max(1);
    thread::scope(|scope| {
        let work = &work;
        let mut inputs = Vec::with_capacity(workers);
        let mut outputs = Vec::with_capacity(workers);
        let mut handles = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (job_tx, job_rx) = mpsc::sync_channel::<J>(bound);
            let (result_tx, result_rx) = mpsc::sync_channel::<R>(bound);
            handles.push(scope.spawn(move || {
                for job in job_rx {
                    if result_tx.send(work(job)).is_err() {
                        break;
                    }
                }
            }));
            inputs.push(job_tx);
            outputs.push(result_rx);
        }
        let producer = scope.spawn(move || {
            let mut next = 0;
            let mut send = |job: J| {
                let sent = inputs[next].send(job).is_ok();
                next = (next + 1) % inputs.len();
                sent
            };
            produce(&mut send)
        });

        let mut consumed = Ok(());
        'collect: loop {
            for output in &outputs {
                match output.recv() {
                    Ok(result) => {
                        if let Err(e) = consume(result) {
                            consumed = Err(Stopped::Failed(e));
                            break 'collect;
                        }
                    }
                    // This worker's queue is closed and empty: as jobs are dealt
                    // in turn, every job has been collected (or a worker died,
                    // which the joins below tell).
                    Err(_) => break 'collect,
                }
            }
        }
        // Stop the workers and the producer if the consumer gave up early.
        drop(outputs);
        let mut worker_panicked = false;
        for handle in handles {
            worker_panicked |= handle.join().is_err();
        }
        let produced = match producer.join() {
            Ok(result) => result.map_err(Stopped::Failed),
            Err(_) => Err(Stopped::Panicked("the reading thread")),
        };
        consumed?;
        if worker_panicked {
            return Err(Stopped::Panicked("a parsing thread"));
        }
        produced
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_job_order() {
        for workers in 1..=4 {
            let mut seen = Vec::new();
            run_ordered::<u32, u32, (), _, _, _>(
                workers,
                2,
                |send| {
                    for i in 0..1000 {
                        if !send(i) {
                            break;
                        }
                    }
                    Ok(())
                },
                |i| {
                    // Uneven work, so workers finish out of step.
                    if i % 7 == 0 {
                        std::thread::sleep(std::time::Duration::from_micros(200));
                    }
                    i * 2
                },
                |r| {
                    seen.push(r);
                    Ok(())
                },
            )
            .expect("pool");
            assert_eq!(
                seen,
                (0..1000).map(|i| i * 2).collect::<Vec<_>>(),
                "{workers} workers"
            );
        }
    }

    #[test]
    fn a_consumer_error_stops_the_producer() {
        let mut made = 0u32;
        let made_ref = &mut made;
        let result = run_ordered::<u32, u32, &'static str, _, _, _>(
            2,
            1,
            |send| {
                for i in 0..1_000_000 {
                    if !send(i) {
                        break;
                    }
                    *made_ref += 1;
                }
                Ok(())
            },
            |i| i,
            |r| if r == 10 { Err("full") } else { Ok(()) },
        );
        assert!(matches!(result, Err(Stopped::Failed("full"))));
        assert!(
            made < 1000,
            "the producer went on after the stop: {made} jobs"
        );
    }

    #[test]
    fn a_producer_error_is_returned_after_its_jobs() {
        let mut seen = 0;
        let result = run_ordered::<u32, u32, &'static str, _, _, _>(
            3,
            4,
            |send| {
                for i in 0..10 {
                    send(i);
                }
                Err("disk")
            },
            |i| i,
            |_| {
                seen += 1;
                Ok(())
            },
        );
        assert!(matches!(result, Err(Stopped::Failed("disk"))));
        assert_eq!(seen, 10);
    }

    #[test]
    fn a_panicking_worker_is_reported() {
        let result = run_ordered::<u32, u32, (), _, _, _>(
            2,
            4,
            |send| {
                for i in 0..100 {
                    if !send(i) {
                        break;
                    }
                }
                Ok(())
            },
            |i| if i == 5 { panic!("boom") } else { i },
            |_| Ok(()),
        );
        assert!(matches!(result, Err(Stopped::Panicked(_))));
    }
}
