// A fixed pool of worker threads for the matmul kernels. A decode step calls matmul about 150 times, each
// for tens to hundreds of microseconds, so what matters is the cost of handing one job to the workers and
// waiting for them: workers spin on an atomic generation counter for a while after each job (a hand-off then
// costs about a cache-line transfer), then spin with `sched_yield` so that a machine with more runnable
// threads than cores still makes progress, and only then sleep on a condition variable. The caller, waiting for
// the workers to finish, also starts yielding after a short spin: on an oversubscribed machine a pure spin can
// burn a whole scheduler time slice while the worker it waits for is descheduled (measured: ggml's spinning
// barrier took 27 ms instead of 1 ms for one matvec at load average 9 on 2 cores).
//
// `.dispatch` runs jobs through `DispatchQueue.concurrentPerform` instead; bench-kernels measures both.

import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one job on a fixed set of threads: the caller's plus `threadCount − 1` workers.
public final class KernelThreadPool: @unchecked Sendable {
    /// How jobs reach the other threads.
    public enum Backend: Sendable, Equatable {
        /// Own worker threads that spin, then sleep, waiting for the next job.
        case spinning
        /// `DispatchQueue.concurrentPerform` over `threadCount` iterations.
        case dispatch
    }

    /// Threads a job runs on, the caller's included.
    public let threadCount: Int
    /// The backend in use (`.dispatch` where the Synchronization module's atomics are unavailable: macOS < 15).
    public let backend: Backend
    private let spinning: AnyObject?

    /// A pool of `threadCount` threads (at least 1). With `.spinning`, `threadCount − 1` workers start now and
    /// stop when the pool is released.
    public init(threadCount: Int, backend: Backend = .spinning) {
        self.threadCount = max(1, threadCount)
        if backend == .spinning, self.threadCount > 1, #available(macOS 15.0, *) {
            let state = SpinningWorkers(workers: self.threadCount - 1)
            spinning = state
            self.backend = .spinning
        } else {
            spinning = nil
            self.backend = self.threadCount > 1 ? .dispatch : backend
        }
    }

    deinit {
        if #available(macOS 15.0, *), let s = spinning as? SpinningWorkers { s.stop() }
    }

    /// Calls `body(t)` for every t in 0..<threadCount, concurrently, and returns when all calls have returned.
    /// The caller's thread runs t = 0.
    public func run(_ body: (Int) -> Void) {
        if threadCount == 1 { body(0); return }
        if #available(macOS 15.0, *), let s = spinning as? SpinningWorkers {
            withoutActuallyEscaping(body) { job in s.run(job) }
            return
        }
        withoutActuallyEscaping(body) { job in
            let box = UncheckedJob(job)
            DispatchQueue.concurrentPerform(iterations: threadCount) { box.job($0) }
        }
    }

    /// Calls `body(i)` for every i in 0..<count, spread over the threads: each thread claims the next unclaimed
    /// index until none is left, so a thread slowed by the rest of the machine takes fewer.
    public func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if threadCount == 1 || count == 1 {
            for i in 0..<count { body(i) }
            return
        }
        if #available(macOS 15.0, *) {
            let next = Atomic<Int>(0)
            run { _ in
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if i >= count { break }
                    body(i)
                }
            }
        } else {
            let counter = LockedCounter()
            run { _ in
                while true {
                    let i = counter.claim()
                    if i >= count { break }
                    body(i)
                }
            }
        }
    }
}

/// A non-Sendable job handed across threads; the pool guarantees it outlives every call.
private struct UncheckedJob: @unchecked Sendable {
    let job: (Int) -> Void
    init(_ job: @escaping (Int) -> Void) { self.job = job }
}

/// Claim counter for platforms without the Synchronization module's atomics.
private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func claim() -> Int {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        return next - 1
    }
}

/// Worker threads that wait for `generation` to move: spinning first, then asleep on `wake`.
@available(macOS 15.0, *)
private final class SpinningWorkers: @unchecked Sendable {
    /// Looks at the generation counter a worker takes before it starts yielding (tens of microseconds).
    private static let spinRounds = 10_000
    /// Further looks, each after a `sched_yield`, before the worker sleeps (about a millisecond on an idle core).
    private static let yieldRounds = 2_000
    /// Looks at `pending` the caller takes before it yields between looks.
    private static let waitSpins = 4_000

    private let workers: Int
    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    /// The current job; written by `run` before it bumps `generation` (release) and read by workers after they
    /// see the new generation (acquire).
    private var job: ((Int) -> Void)?
    private let sleepLock = NSCondition()

    init(workers: Int) {
        self.workers = workers
        for index in 1...workers {
            let thread = Thread { [self] in workerLoop(index: index) }
            thread.name = "specfit-kernel-\(index)"
            thread.start()
        }
    }

    func run(_ body: @escaping (Int) -> Void) {
        job = body
        pending.store(workers, ordering: .relaxed)
        generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            sleepLock.lock()
            sleepLock.broadcast()
            sleepLock.unlock()
        }
        body(0)
        var spins = 0
        while pending.load(ordering: .acquiring) != 0 {
            spins += 1
            if spins > Self.waitSpins { sched_yield() }
        }
        job = nil
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        sleepLock.lock()
        sleepLock.broadcast()
        sleepLock.unlock()
    }

    private func workerLoop(index: Int) {
        var seen = 0
        while true {
            var spins = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                if spins < Self.spinRounds + Self.yieldRounds {
                    if spins > Self.spinRounds { sched_yield() }
                    current = generation.load(ordering: .acquiring)
                    continue
                }
                sleepLock.lock()
                sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { sleepLock.wait() }
                sleepers.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                sleepLock.unlock()
                current = generation.load(ordering: .acquiring)
            }
            seen = current
            if stopping.load(ordering: .acquiring) { return }
            if let body = job { body(index) }
            pending.wrappingSubtract(1, ordering: .releasing)
        }
    }
}
