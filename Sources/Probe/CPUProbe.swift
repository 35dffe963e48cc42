import Foundation
import SpecFitCore

// MARK: - /proc/cpuinfo

/// `/proc/cpuinfo` as records: one `key → value` dictionary per logical CPU, in file order.
///
/// Format: Linux arch/x86/kernel/cpu/proc.c `show_cpuinfo` (x86: `processor`, `vendor_id`,
/// `model name`, `cpu MHz`, `physical id`, `core id`, `flags`) and arch/arm64/kernel/cpuinfo.c
/// (`processor`, `Features`, `CPU implementer`, `CPU part`); records are separated by blank lines,
/// keys and values by the first `:`. Keys that appear before the first `processor` line (some ARM
/// kernels print `Hardware`, `Model` at the end, outside any record) land in `global`.
struct CPUInfoFile: Sendable, Equatable {
    var processors: [[String: String]]
    var global: [String: String]

    init(parsing text: String) {
        var processors: [[String: String]] = []
        var global: [String: String] = [:]
        var current: [String: String] = [:]
        func flush() {
            if current["processor"] != nil { processors.append(current) } else { global.merge(current) { old, _ in old } }
            current = [:]
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty {
                flush()
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            // A second `processor` without a blank line in between still starts a new record.
            if key == "processor" && current["processor"] != nil { flush() }
            current[key] = value
        }
        flush()
        self.processors = processors
        self.global = global
    }

    /// The first value of `key` in any record, then among the global keys.
    func first(_ key: String) -> String? {
        for record in processors { if let value = record[key], !value.isEmpty { return value } }
        return global[key]
    }

    /// Distinct `(physical id, core id)` pairs: physical cores on x86 (SMT siblings share a pair).
    /// Nil when the kernel does not print them (ARM, some VMs).
    var physicalCoreCount: Int? {
        var pairs = Set<String>()
        for record in processors {
            guard let package = record["physical id"], let core = record["core id"] else { return nil }
            pairs.insert(package + ":" + core)
        }
        return pairs.isEmpty ? nil : pairs.count
    }
}

/// SIMD extensions that inference kernels dispatch on, in the order reported.
///
/// Names are the kernel's flag names: x86 from arch/x86/include/asm/cpufeatures.h (`avx512_vnni`,
/// `avx512_bf16`, `amx_tile`, `amx_bf16`, `amx_int8`, `avx_vnni`), ARM64 `Features` from
/// arch/arm64/kernel/cpuinfo.c (`asimd` is NEON on ARMv8; 32-bit ARM prints `neon`). These are the
/// ones llama.cpp's CPU backend selects kernels by (ggml/src/ggml-cpu/ `ggml_cpu_has_*`).
let inferenceSIMDFlags: [String] = [
    // x86
    "sse4_2", "avx", "avx2", "fma", "f16c", "avx_vnni",
    "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
    "amx_tile", "amx_int8", "amx_bf16",
    // ARM
    "neon", "asimd", "asimdhp", "asimddp", "fphp", "i8mm", "bf16", "sve", "sve2", "sme",
]

/// The SIMD flags of `inferenceSIMDFlags` present in one `flags`/`Features` line.
func simdFlags(fromFlagsLine line: String) -> [String] {
    let present = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
    return inferenceSIMDFlags.filter(present.contains)
}

/// Parses a Linux CPU list ("0-31", "0-3,8-11", "5") into the number of CPUs it names, nil when malformed.
/// Format: Documentation/admin-guide/cputopology.rst ("online: CPUs that are online").
func cpuListCount(_ list: String) -> Int? {
    let trimmed = list.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { return nil }
    var count = 0
    for part in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
        let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
        if bounds.count == 1, Int(bounds[0]) != nil {
            count += 1
        } else if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), high >= low {
            count += high - low + 1
        } else {
            return nil
        }
    }
    return count
}

/// ARM64 `CPU implementer` codes → vendor, from arch/arm64/include/asm/cputype.h (`ARM_CPU_IMP_*`).
private let armImplementers: [String: String] = [
    "0x41": "ARM", "0x42": "Broadcom", "0x43": "Cavium", "0x46": "Fujitsu", "0x48": "HiSilicon",
    "0x4e": "NVIDIA", "0x50": "APM", "0x51": "Qualcomm", "0x61": "Apple", "0xc0": "Ampere",
]

// MARK: - Probe

/// Reads the CPU of the machine under `root`: model, vendor, cores, SIMD flags, clock.
///
/// Logical cores: the CPUs the process may run on (`Cpus_allowed_list` in `/proc/self/status`, so
/// `taskset` and container cpusets count), else `/sys/devices/system/cpu/online`, else the number of
/// `processor` records. Physical cores: distinct `(physical id, core id)` pairs, else the
/// sysfs topology files of the online CPUs.
func probeCPU(root: SystemRoot, unknowns: inout [String], facts: inout [Fact]) -> CPUInfo {
    let cpuinfoText = root.readText("proc/cpuinfo")
    let cpuinfo = cpuinfoText.map(CPUInfoFile.init(parsing:))
    if cpuinfo == nil {
        unknowns.append("cannot read \(root.describe("proc/cpuinfo")): CPU model, vendor and SIMD flags unknown (is /proc mounted?)")
    }

    let cpuinfoPath = root.describe("proc/cpuinfo")
    let modelKey = ["model name", "Model", "Hardware"].first { cpuinfo?.first($0) != nil }
    let model = modelKey.flatMap { cpuinfo?.first($0) } ?? armModel(cpuinfo) ?? "unknown CPU"
    if cpuinfo != nil {
        facts.append(Fact(name: "cpu.model", value: model,
                          origin: modelKey.map { "'\($0)' in \(cpuinfoPath)" } ?? "'CPU implementer' and 'CPU part' in \(cpuinfoPath)"))
    }

    var vendor = cpuinfo?.first("vendor_id")
    if vendor == nil, let implementer = cpuinfo?.first("CPU implementer")?.lowercased() {
        vendor = armImplementers[implementer] ?? "ARM implementer \(implementer)"
    }

    let flagsLine = cpuinfo?.first("flags") ?? cpuinfo?.first("Features") ?? ""
    let simd = simdFlags(fromFlagsLine: flagsLine)
    if cpuinfo != nil && flagsLine.isEmpty {
        unknowns.append("\(root.describe("proc/cpuinfo")) has no flags/Features line: SIMD extensions unknown")
    }

    let frequencyMHz = cpuinfo?.first("cpu MHz").flatMap(Double.init)
    if let vendor {
        facts.append(Fact(name: "cpu.vendor", value: vendor,
                          origin: cpuinfo?.first("vendor_id") != nil ? "'vendor_id' in \(cpuinfoPath)" : "'CPU implementer' in \(cpuinfoPath) (codes from arch/arm64/include/asm/cputype.h)"))
    }
    if cpuinfo != nil {
        let key = cpuinfo?.first("flags") != nil ? "flags" : "Features"
        facts.append(Fact(name: "cpu.simdFlags", value: simd.isEmpty ? "none of interest" : simd.joined(separator: " "), origin: "'\(key)' in \(cpuinfoPath)"))
    }
    if let frequencyMHz {
        facts.append(Fact(name: "cpu.frequencyMHz", value: String(format: "%.0f", frequencyMHz), origin: "'cpu MHz' of the first CPU in \(cpuinfoPath)"))
    }

    let (logical, logicalOrigin) = logicalCoreCount(root: root, cpuinfo: cpuinfo, unknowns: &unknowns)
    facts.append(Fact(name: "cpu.logicalCores", value: String(logical), origin: logicalOrigin))
    var physical = cpuinfo?.physicalCoreCount
    if let physical {
        facts.append(Fact(name: "cpu.physicalCores", value: String(physical), origin: "distinct ('physical id', 'core id') pairs in \(cpuinfoPath)"))
    } else if let fromSysfs = sysfsPhysicalCoreCount(root: root) {
        physical = fromSysfs
        facts.append(Fact(name: "cpu.physicalCores", value: String(fromSysfs),
                          origin: "distinct (physical_package_id, core_id) in \(root.describe("sys/devices/system/cpu/cpuN/topology"))"))
    }

    return CPUInfo(model: model, vendor: vendor, physicalCores: physical, logicalCores: logical,
                   simdFlags: simd, frequencyMHz: frequencyMHz)
}

private func armModel(_ cpuinfo: CPUInfoFile?) -> String? {
    guard let cpuinfo, let part = cpuinfo.first("CPU part") else { return nil }
    let implementer = cpuinfo.first("CPU implementer") ?? "?"
    return "ARM CPU implementer \(implementer) part \(part)"
}

private func logicalCoreCount(root: SystemRoot, cpuinfo: CPUInfoFile?, unknowns: inout [String]) -> (Int, String) {
    if let allowed = allowedCPUCount(root: root) { return (allowed, "'Cpus_allowed_list' in \(root.describe("proc/self/status"))") }
    if let online = root.readLine("sys/devices/system/cpu/online"), let count = cpuListCount(online) {
        return (count, root.describe("sys/devices/system/cpu/online"))
    }
    if let records = cpuinfo?.processors.count, records > 0 { return (records, "'processor' records in \(root.describe("proc/cpuinfo"))") }
    if root.isHost {
        // No /proc and no /sys (a chroot): the affinity mask still comes from the kernel through
        // sched_getaffinity(2), which Foundation's activeProcessorCount calls.
        let count = max(1, ProcessInfo.processInfo.activeProcessorCount)
        unknowns.append("neither /proc/self/status, /sys/devices/system/cpu/online nor /proc/cpuinfo is readable: \(count) logical CPUs from sched_getaffinity(2)")
        return (count, "sched_getaffinity(2) via ProcessInfo.activeProcessorCount (/proc and /sys unreadable)")
    }
    unknowns.append("neither \(root.describe("sys/devices/system/cpu/online")) nor processor records in /proc/cpuinfo: logical CPU count unknown, assumed 1")
    return (1, "assumed: nothing tells")
}

/// CPUs in the process's affinity mask: `Cpus_allowed_list` of `/proc/self/status` (proc(5)), which
/// is what `sched_getaffinity(2)` returns and what `taskset` and container cpusets restrict.
/// Read from the file rather than called, because glibc declares `sched_getaffinity` only under
/// `_GNU_SOURCE` and the file also exists in recorded trees.
private func allowedCPUCount(root: SystemRoot) -> Int? {
    guard let status = root.readText("proc/self/status") else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("Cpus_allowed_list:") {
        return cpuListCount(String(line.dropFirst("Cpus_allowed_list:".count)))
    }
    return nil
}

/// Distinct `(physical_package_id, core_id)` over online CPUs from sysfs topology
/// (Documentation/admin-guide/cputopology.rst), nil when the files are absent.
private func sysfsPhysicalCoreCount(root: SystemRoot) -> Int? {
    guard let online = root.readLine("sys/devices/system/cpu/online"), let count = cpuListCount(online), count > 0 else {
        return nil
    }
    var pairs = Set<String>()
    for part in online.split(separator: ",") {
        let bounds = part.split(separator: "-").compactMap { Int($0) }
        guard let low = bounds.first, let high = bounds.last else { return nil }
        for cpu in low...high {
            let base = "sys/devices/system/cpu/cpu\(cpu)/topology/"
            guard let package = root.readLine(base + "physical_package_id"), let core = root.readLine(base + "core_id") else {
                return nil
            }
            pairs.insert(package + ":" + core)
        }
    }
    return pairs.isEmpty ? nil : pairs.count
}
