import Foundation

/// Turns a probed (or recorded) machine, and optional what-if cards, into what the fit engine reads.
public enum MachineResources {
    /// CPU bandwidth assumed when the machine carries no measurement, GB/s: one channel of DDR4-3200 is
    /// 25.6 GB/s (JEDEC JESD79-4 data rate × 8 bytes); most desktops have two, so this is a cautious floor.
    public static let assumedCPUBandwidthGBps = 25.6
    /// Bandwidth assumed for a GPU the catalog does not know, GB/s; flagged in the basis.
    public static let assumedGPUBandwidthGBps = 200.0

    /// Peak arithmetic rate of the CPU, GFLOPS: physical cores × GHz × FP32 FLOPs per cycle — 32 for AVX2+FMA
    /// or AVX-512 (two 256-bit FMA pipes; Zen 4 and client cores run AVX-512 on 256-bit datapaths, so the
    /// wider figure is not assumed), 16 for NEON, 8 otherwise — doubled with int8 dot-product instructions
    /// (VNNI, ARM dotprod) since llama.cpp multiplies quantised weights with int8 activations.
    /// The clock defaults to 3 GHz when `/proc/cpuinfo` gives none.
    public static func cpuPeakGFLOPS(_ cpu: CPUInfo) -> Double {
        let cores = Double(cpu.physicalCores ?? cpu.logicalCores)
        let ghz = (cpu.frequencyMHz ?? 3000) / 1000
        let f = Set(cpu.simdFlags.map { $0.lowercased() })
        var perCycle: Double = (f.contains("avx512f") || (f.contains("avx2") && f.contains("fma"))) ? 32 : (f.contains("neon") || f.contains("asimd")) ? 16 : 8
        if f.contains("avx512_vnni") || f.contains("avx_vnni") || f.contains("asimddp") { perCycle *= 2 }
        return cores * ghz * perCycle
    }

    /// The host side of a machine: RAM the runtime may use (`MemAvailable` capped by the cgroup) and CPU speed.
    public static func host(_ m: Machine, ramOverrideBytes: Int64? = nil, ramOverrideBasis: String? = nil) -> HostResources {
        let bw = m.cpu.measuredBandwidth
        var ramBasis = m.memory.availableBytes != nil ? "MemAvailable" : "MemTotal"
        if let limit = m.memory.cgroupLimitBytes, limit < (m.memory.availableBytes ?? m.memory.totalBytes) {
            ramBasis += ", capped by the cgroup v\(m.memory.cgroupVersion ?? 0) limit \(formatGiB(limit))"
        }
        return HostResources(
            cpuName: m.cpu.model, usableRAMBytes: ramOverrideBytes ?? m.memory.usableBytes,
            ramBasis: ramOverrideBasis ?? "\(ramBasis) of \(m.origin)",
            bandwidthGBps: bw?.triadGBps ?? assumedCPUBandwidthGBps,
            bandwidthBasis: bw.map { String(format: "%.1f GB/s measured by a STREAM-style triad, %d threads, %@", $0.triadGBps, $0.threads, $0.measuredAt) }
                ?? "no measurement in this machine description: \(assumedCPUBandwidthGBps) GB/s assumed (one DDR4-3200 channel)",
            peakGFLOPS: cpuPeakGFLOPS(m.cpu), threads: m.cpu.physicalCores ?? m.cpu.logicalCores)
    }

    /// The machine's own discrete GPUs as compute devices, matched to catalog cards for bandwidth and backend.
    /// Integrated GPUs are left out (never counted as a second card, never pooled) and reported in `notes`.
    public static func devices(_ m: Machine, cards: [GPUSpec], liveFreeMemory: Bool) -> (devices: [ComputeDevice], notes: [String]) {
        var out: [ComputeDevice] = []
        var notes: [String] = []
        for d in m.gpus {
            if d.isIntegrated {
                notes.append("\(d.name) (\(d.pciAddress)) is an integrated GPU sharing system RAM: not counted as a GPU")
                continue
            }
            let match = d.catalogID.flatMap { id in cards.first { $0.id == id } } ?? GPUMatcher.match(d, cards: cards)?.gpu
            let total = d.vramTotalBytes ?? match.map(\.vramBytes)
            guard let total else {
                notes.append("\(d.name) (\(d.pciAddress)): memory size unknown (no NVML/sysfs answer, not in the catalog): not used")
                continue
            }
            let free = d.vramFreeBytes
            let usable = liveFreeMemory ? (free ?? total) : total
            let basis = liveFreeMemory && free != nil ? "free memory (\(d.memorySource ?? "driver"))" : (d.vramTotalBytes != nil ? "total memory (\(d.memorySource ?? "driver"))" : "catalog VRAM of \(match?.id ?? "?")")
            let backend: GPUSpec.Backend = match?.backend ?? (d.vendorID == "10de" ? .cuda : d.vendorID == "1002" ? .rocm : .vulkan)
            if match == nil { notes.append("\(d.name): not in the catalog, bandwidth \(assumedGPUBandwidthGBps) GB/s assumed") }
            out.append(ComputeDevice(name: match?.name ?? d.name, catalogID: match?.id, backend: backend, usableBytes: usable,
                                     usableBasis: basis, bandwidthGBps: match?.bandwidthGBps ?? assumedGPUBandwidthGBps,
                                     fp16TFLOPS: match?.fp16TFLOPS, unifiedMemory: match?.unifiedMemory ?? false))
        }
        return (out, notes)
    }

    /// A catalog card as a what-if device: its VRAM (or, on unified memory, its GPU working-set limit).
    public static func device(_ g: GPUSpec) -> ComputeDevice {
        ComputeDevice(name: g.name, catalogID: g.id, backend: g.backend, usableBytes: g.gpuUsableBytes,
                      usableBasis: g.unifiedMemory ? "GPU working-set limit \(g.gpuWorkingSetMiB ?? g.vramMiB) MiB of \(g.vramMiB) MiB unified (catalog \(g.id))" : "catalog VRAM \(g.vramMiB) MiB (\(g.id))",
                      bandwidthGBps: g.bandwidthGBps, fp16TFLOPS: g.fp16TFLOPS, unifiedMemory: g.unifiedMemory)
    }
}
