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

    /// The machine's own GPUs as compute devices, matched to catalog cards for bandwidth and backend.
    ///
    /// Rules, each reported in `notes` when it leaves a GPU out:
    /// - a GPU this process cannot use (`visibleToRuntime == false`: on the bus, but NVML in this container
    ///   does not know it) is left out;
    /// - an integrated GPU (APU, iGPU) beside a usable discrete card is left out — never counted as a second
    ///   card and never pooled with it; alone, it is a device of the memory its runtime can allocate
    ///   (``integratedMemory(_:memory:)``), or left out when that is unknown;
    /// - a discrete card uses its free memory when `liveFreeMemory` (a busy card offers what is free, not what
    ///   is installed), else its total; with MIG on, the MIG device CUDA runs on;
    /// - a card whose driver publishes no memory size takes the catalog's, and the smallest of the catalog
    ///   rows its PCI id could be when nothing tells them apart.
    public static func devices(_ m: Machine, cards: [GPUSpec], liveFreeMemory: Bool) -> (devices: [ComputeDevice], notes: [String]) {
        var out: [ComputeDevice] = []
        var notes: [String] = []
        let matched = m.gpus.map { d -> (gpu: GPUDevice, card: GPUSpec?, integrated: Bool) in
            var card = d.catalogID.flatMap { id in cards.first { $0.id == id } } ?? GPUMatcher.match(d, cards: cards)?.gpu
            let integrated = d.isIntegrated || card.map { $0.variant == .igpu } ?? false
            if integrated, let c = card { card = closestIntegratedRow(c, cards: cards, memory: m.memory, device: d) }
            return (d, card, integrated)
        }
        let hasDiscrete = matched.contains { !$0.integrated && $0.gpu.visibleToRuntime != false }
        for (d, match, integrated) in matched {
            if d.visibleToRuntime == false {
                notes.append("\(d.name) (\(d.pciAddress)) is on the PCI bus but not visible to this process (NVML does not know it; a container given other GPUs): not used")
                continue
            }
            if integrated {
                if hasDiscrete {
                    notes.append("\(d.name) (\(d.pciAddress)) is an integrated GPU sharing system RAM beside a discrete card: not counted as a GPU, never pooled")
                    continue
                }
                guard let shared = integratedMemory(d, memory: m.memory) else {
                    notes.append("\(d.name) (\(d.pciAddress)) is an integrated GPU whose driver publishes no memory it may use (\(d.driver ?? "no driver")): models run on the CPU")
                    continue
                }
                let hostBandwidth = m.cpu.measuredBandwidth?.triadGBps ?? assumedCPUBandwidthGBps
                let catalogBandwidth = match.map(\.bandwidthGBps).flatMap { $0 > 0 ? $0 : nil }
                let bandwidth = catalogBandwidth ?? hostBandwidth
                out.append(ComputeDevice(name: match?.name ?? d.name, catalogID: match?.id, backend: match?.backend ?? .vulkan,
                                         usableBytes: shared.bytes, usableBasis: shared.basis, bandwidthGBps: bandwidth,
                                         fp16TFLOPS: match?.fp16TFLOPS, unifiedMemory: shared.unified))
                if catalogBandwidth == nil {
                    notes.append("\(d.name): shares the host's memory bus, so the CPU's \(String(format: "%.1f", hostBandwidth)) GB/s is used as its bandwidth")
                }
                continue
            }
            let mig = d.migDevices?.first
            var total = mig?.memoryTotalBytes ?? d.vramTotalBytes
            var totalBasis = d.memorySource ?? mig.map { "NVML MIG device \($0.index)" } ?? "driver"
            var match = match
            var name = match?.name ?? d.name
            if total == nil, let fallback = catalogVRAM(d, match: match, cards: cards) {
                total = fallback.card.vramBytes
                totalBasis = fallback.basis
                if fallback.candidates.count > 1 {
                    // Unsure which card this is: plan with the smallest and name every possibility.
                    match = fallback.card
                    name = fallback.candidates.map(\.name).joined(separator: " or ")
                }
            }
            guard let total else {
                notes.append("\(d.name) (\(d.pciAddress)): memory size unknown (no NVML/sysfs answer, not in the catalog): not used")
                continue
            }
            let free = mig != nil ? mig?.memoryFreeBytes : d.vramFreeBytes
            let usable: Int64
            let basis: String
            if liveFreeMemory, let free {
                usable = free
                basis = free < total * 95 / 100
                    ? "free memory \(formatGiB(free)) of \(formatGiB(total)) (\(totalBasis)); \(formatGiB(total - free)) is held by other processes"
                    : "free memory (\(totalBasis))"
            } else {
                usable = total
                basis = d.vramTotalBytes != nil || mig != nil ? "total memory (\(totalBasis))" : totalBasis
            }
            let backend: GPUSpec.Backend = match?.backend ?? (d.vendorID == "10de" ? .cuda : d.vendorID == "1002" ? .rocm : .vulkan)
            if match == nil { notes.append("\(d.name): not in the catalog, bandwidth \(assumedGPUBandwidthGBps) GB/s assumed") }
            var bandwidth = match?.bandwidthGBps ?? assumedGPUBandwidthGBps
            if let mig, let card = match {
                bandwidth *= migBandwidthShare(sliceBytes: mig.memoryTotalBytes ?? total, card: card)
                name += " MIG \(mig.profile ?? "device \(mig.index)")"
            }
            out.append(ComputeDevice(name: name, catalogID: match?.id, backend: backend, usableBytes: usable,
                                     usableBasis: basis, bandwidthGBps: bandwidth,
                                     fp16TFLOPS: match?.fp16TFLOPS, unifiedMemory: match?.unifiedMemory ?? false))
        }
        return (out, notes)
    }

    /// The memory a runtime can allocate on an integrated GPU (AMD APU), and whether it comes out of system RAM.
    ///
    /// amdgpu publishes two pools (Linux Documentation/gpu/amdgpu/driver-misc.rst): `mem_info_vram_total`, the
    /// firmware's carve-out ("UMA frame buffer", which the OS never sees), and `mem_info_gtt_total`, system
    /// RAM the GPU maps — half of RAM by default, raised with `ttm.pages_limit`/`amdgpu.gttsize` on Strix Halo
    /// hosts, sometimes past the RAM that exists (unsloth PR #7960: 128 GiB GTT on a host with 124.92 GiB of
    /// RAM). Adding both overcounts on an APU (ROCm/ROCm#6004: 8 GiB carve-out + 124 GiB GTT reported as
    /// 132 GiB on a 128 GiB machine), so the larger pool counts:
    /// - GTT, capped at `MemTotal`, when it is the larger: the GPU's allocations then come out of system RAM
    ///   (`unified`), so the fit charges them to RAM too;
    /// - else the carve-out (a BIOS setting such as 96 GiB of 128): memory the OS cannot use, so not unified.
    /// nil when the driver publishes neither pool (Intel iGPUs under i915/xe, an APU without amdgpu).
    public static func integratedMemory(_ d: GPUDevice, memory: MemoryInfo) -> (bytes: Int64, unified: Bool, basis: String)? {
        let vram = max(0, d.vramTotalBytes ?? 0)
        guard let gtt = d.gttTotalBytes, gtt > 0 else {
            return vram > 0 ? (vram, false, "carve-out (VRAM) \(formatGiB(vram)) (\(d.memorySource ?? "driver")); no GTT published") : nil
        }
        let ram = memory.totalBytes
        let gttUsable = ram > 0 ? min(gtt, ram) : gtt
        if gttUsable > vram {
            var basis = "GTT \(formatGiB(gtt)): system RAM the GPU maps (\(d.memorySource ?? "driver"))"
            if gttUsable < gtt { basis += ", capped at MemTotal \(formatGiB(ram)): no more RAM exists" }
            if vram > 0 { basis += "; the \(formatGiB(vram)) carve-out is not added" }
            return (gttUsable, true, basis)
        }
        return (vram, false, "carve-out (VRAM) \(formatGiB(vram)) set by the firmware, which the OS cannot use (\(d.memorySource ?? "driver")); GTT \(formatGiB(gtt)) is smaller")
    }

    /// Memory bandwidth share of a MIG device: memory controllers are split into eight memory slices and an
    /// instance owns the slices its memory comes from (NVIDIA Multi-Instance GPU User Guide, "Terminology":
    /// "each memory slice consists of 1/8 of the memory controllers"), so its share is its memory ÷ the card's.
    static func migBandwidthShare(sliceBytes: Int64, card: GPUSpec) -> Double {
        guard card.vramBytes > 0 else { return 1 }
        return min(1, Double(sliceBytes) / Double(card.vramBytes))
    }

    /// The catalog's VRAM for a card whose driver publishes none: the matched row's when the match is sure or
    /// every row its PCI id could be has the same memory; else the smallest of those rows (the conservative
    /// answer), with all of them in `candidates` so the caller can say which cards it could be.
    static func catalogVRAM(_ d: GPUDevice, match: GPUSpec?, cards: [GPUSpec]) -> (card: GPUSpec, candidates: [GPUSpec], basis: String)? {
        guard let match, match.vramMiB > 0 else { return nil }
        let siblings = cards.filter {
            $0.pciVendorID?.lowercased() == d.vendorID.lowercased() && $0.pciDeviceID?.lowercased() == d.deviceID.lowercased() && $0.vramMiB > 0
        }
        let sure = (d.matchConfidence ?? GPUMatcher.match(d, cards: cards)?.confidence ?? 0) >= 0.9
        if sure || Set(siblings.map(\.vramMiB)).count <= 1 {
            return (match, [match], "catalog VRAM \(match.vramMiB) MiB of \(match.id) (the driver publishes no size)")
        }
        let ordered = siblings.sorted { ($0.vramMiB, $0.id) < ($1.vramMiB, $1.id) }
        let smallest = ordered[0]
        return (smallest, ordered, "catalog VRAM \(smallest.vramMiB) MiB, the smallest of \(siblings.map(\.id).sorted().joined(separator: ", ")) that PCI id \(d.vendorID):\(d.deviceID) can be (the driver publishes no size to tell them apart)")
    }

    /// Among integrated catalog rows sharing a PCI id and revision (Strix Halo in 32, 64 and 128 GB machines),
    /// the one whose memory is nearest the host's: `MemTotal` plus the carve-out the firmware took from it.
    static func closestIntegratedRow(_ card: GPUSpec, cards: [GPUSpec], memory: MemoryInfo, device d: GPUDevice) -> GPUSpec {
        let siblings = cards.filter {
            $0.pciVendorID == card.pciVendorID && $0.pciDeviceID == card.pciDeviceID && $0.pciRevisions == card.pciRevisions && $0.vramMiB > 0
        }
        guard siblings.count > 1, memory.totalBytes > 0 else { return card }
        let physicalMiB = Double(memory.totalBytes + max(0, d.vramTotalBytes ?? 0)) / bytesPerMiB
        return siblings.min { abs(Double($0.vramMiB) - physicalMiB) < abs(Double($1.vramMiB) - physicalMiB) } ?? card
    }

    /// A catalog card as a what-if device: its VRAM (or, on unified memory, its GPU working-set limit).
    public static func device(_ g: GPUSpec) -> ComputeDevice {
        ComputeDevice(name: g.name, catalogID: g.id, backend: g.backend, usableBytes: g.gpuUsableBytes,
                      usableBasis: g.unifiedMemory ? "GPU working-set limit \(g.gpuWorkingSetMiB ?? g.vramMiB) MiB of \(g.vramMiB) MiB unified (catalog \(g.id))" : "catalog VRAM \(g.vramMiB) MiB (\(g.id))",
                      bandwidthGBps: g.bandwidthGBps, fp16TFLOPS: g.fp16TFLOPS, unifiedMemory: g.unifiedMemory)
    }
}
