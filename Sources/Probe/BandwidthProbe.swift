import Dispatch
import Foundation
import SpecFitCore

/// `a[i] = b[i] + scalar · c[i]` over `count` doubles: STREAM's triad kernel (McCalpin, stream.c,
/// https://www.cs.virginia.edu/stream/FTP/Code/stream.c, "Triad"). A plain loop over pointers so
/// LLVM vectorises it; it moves 24 bytes per element (two reads, one write, as STREAM counts).
@inline(never)
func triadKernel(_ a: UnsafeMutablePointer<Double>, _ b: UnsafePointer<Double>, _ c: UnsafePointer<Double>,
                 _ scalar: Double, _ count: Int) {
    for i in 0..<count {
        a[i] = b[i] + scalar * c[i]
    }
}

/// Measures the CPU's memory bandwidth with a multithreaded STREAM-style triad.
///
/// Three arrays of `megabytesPerArray` MiB each (default 3 × 64 MiB, far beyond any desktop or
/// server last-level cache short of AMD's 3D V-Cache EPYCs at 768 MiB, where the figure is an upper
/// bound), split into `threads` contiguous slices that each thread first-touches itself (so pages
/// land on its NUMA node) and then runs the triad over. The best of several passes counts, as in
/// STREAM ("best rate"); the passes stop after ~0.4 s or 10 passes, whichever comes first, after at
/// least 3. Bandwidth = 24 bytes × elements ÷ seconds, in 10^9 bytes/s.
///
/// - Parameters:
///   - threads: worker threads (≥ 1); use the logical core count for the machine's peak.
///   - megabytesPerArray: MiB per array (≥ 1); small values measure cache, not memory.
public func measureTriadBandwidth(threads: Int, megabytesPerArray: Int = 64) -> BandwidthMeasurement {
    let threadCount = max(1, threads)
    let elementCount = max(1, megabytesPerArray) * 1_048_576 / MemoryLayout<Double>.stride
    let a = UnsafeMutablePointer<Double>.allocate(capacity: elementCount)
    let b = UnsafeMutablePointer<Double>.allocate(capacity: elementCount)
    let c = UnsafeMutablePointer<Double>.allocate(capacity: elementCount)
    defer {
        a.deallocate()
        b.deallocate()
        c.deallocate()
    }
    let arrays = TriadArrays(a: a, b: b, c: c, count: elementCount, slices: threadCount)

    DispatchQueue.concurrentPerform(iterations: threadCount) { slice in
        let range = arrays.range(of: slice)
        (arrays.a + range.lowerBound).initialize(repeating: 0, count: range.count)
        (arrays.b + range.lowerBound).initialize(repeating: 1, count: range.count)
        (arrays.c + range.lowerBound).initialize(repeating: 2, count: range.count)
    }

    let scalar = 3.0
    var bestSeconds = Double.infinity
    let budgetNanoseconds: UInt64 = 400_000_000
    let start = DispatchTime.now().uptimeNanoseconds
    var passes = 0
    while passes < 3 || (passes < 10 && DispatchTime.now().uptimeNanoseconds - start < budgetNanoseconds) {
        let passStart = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threadCount) { slice in
            let range = arrays.range(of: slice)
            triadKernel(arrays.a + range.lowerBound, arrays.b + range.lowerBound, arrays.c + range.lowerBound,
                        scalar, range.count)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - passStart) / 1e9
        bestSeconds = min(bestSeconds, seconds)
        passes += 1
    }

    let bytesMoved = Double(3 * MemoryLayout<Double>.stride * elementCount)
    let gigabytesPerSecond = bestSeconds > 0 ? bytesMoved / bestSeconds / 1e9 : 0
    return BandwidthMeasurement(
        triadGBps: gigabytesPerSecond, threads: threadCount,
        arrayBytes: Int64(elementCount * MemoryLayout<Double>.stride),
        measuredAt: ISO8601DateFormatter().string(from: Date()))
}

/// The three triad arrays, shared read-only between worker threads; each thread writes only its
/// own slice of `a`, so the unchecked sendability is sound.
private struct TriadArrays: @unchecked Sendable {
    let a: UnsafeMutablePointer<Double>
    let b: UnsafeMutablePointer<Double>
    let c: UnsafeMutablePointer<Double>
    let count: Int
    let slices: Int

    /// Slice `index` of `slices` near-equal contiguous slices of `0..<count`.
    func range(of index: Int) -> Range<Int> {
        let lower = count * index / slices
        let upper = count * (index + 1) / slices
        return lower..<upper
    }
}
