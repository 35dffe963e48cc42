import Foundation
import SpecFitCore

// MARK: - /proc/meminfo

/// `MemTotal` and `MemAvailable` from `/proc/meminfo`, in bytes.
///
/// The kernel prints these in kibibytes ("MemTotal:       65536000 kB", fs/proc/meminfo.c
/// `show_val_kb`); `MemAvailable` exists since Linux 3.14.
struct MemInfoFile: Sendable, Equatable {
    var totalBytes: Int64?
    var availableBytes: Int64?

    init(parsing text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let value = Int64(fields[1]) else { continue }
            let multiplier: Int64 = fields.count >= 3 && fields[2] == "kB" ? 1024 : 1
            switch fields[0] {
            case "MemTotal:": totalBytes = value * multiplier
            case "MemAvailable:": availableBytes = value * multiplier
            default: break
            }
        }
    }
}

// MARK: - cgroup memory limit

/// The memory limit of the cgroup this process (or the recorded one) lives in.
struct CgroupMemory: Sendable, Equatable {
    var version: Int
    /// nil when there is no limit.
    var limitBytes: Int64?
    /// Usage of the process's own cgroup, nil when unreadable.
    var usageBytes: Int64?
    /// The file the binding limit was read from (relative to the root), nil when there is no limit.
    var limitPath: String? = nil
}

/// v1 `memory.limit_in_bytes` values at or above this mean "no limit".
///
/// The kernel reports an unset v1 limit as `PAGE_COUNTER_MAX × PAGE_SIZE` rounded down to a page:
/// 9223372036854771712 with 4 KiB pages (mm/page_counter.c, include/linux/page_counter.h
/// `PAGE_COUNTER_MAX = LONG_MAX / PAGE_SIZE`), and slightly less with 16/64 KiB pages
/// (9223372036854710272 on 64 KiB). No real machine has 2^62 bytes (4 EiB), so anything from there
/// up is treated as unlimited.
let cgroupV1UnlimitedThresholdBytes: Int64 = 1 << 62

/// One line of `/proc/self/cgroup`: `hierarchy-ID:controller-list:cgroup-path` (man 7 cgroups).
struct CgroupMembership: Sendable, Equatable {
    var hierarchyID: String
    var controllers: [String]
    var path: String

    static func parse(_ text: String) -> [CgroupMembership] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            let controllers = parts[1].isEmpty ? [] : parts[1].split(separator: ",").map(String.init)
            return CgroupMembership(hierarchyID: String(parts[0]), controllers: controllers, path: String(parts[2]))
        }
    }
}

/// Reads the cgroup memory limit under `root`, v1 or v2, or nil when no hierarchy is visible.
///
/// Which version: the memory controller is v1 when a `/proc/self/cgroup` line lists `memory` among
/// its controllers (hybrid hosts, like systemd's "hybrid" mode, keep memory on v1 and only an empty
/// `0::` line on v2); it is v2 when the `0::PATH` line exists and `/sys/fs/cgroup/cgroup.controllers`
/// does (Documentation/admin-guide/cgroup-v2.rst). Without `/proc/self/cgroup` (a recorded tree that
/// lacks it), the files decide: `sys/fs/cgroup/memory/memory.limit_in_bytes` → v1 root,
/// `sys/fs/cgroup/cgroup.controllers` → v2 root.
///
/// The limit that binds is the smallest one on the way from the process's cgroup up to the mount
/// root (a child cannot use more than its parent allows), so every level is read. In a container
/// with a private cgroup namespace the path is `/` and the mount root is the container's cgroup;
/// without one the path may not exist under the mount, and the walk starts at the deepest level
/// that does.
func probeCgroupMemory(root: SystemRoot, unknowns: inout [String]) -> CgroupMemory? {
    let memberships = root.readText("proc/self/cgroup").map(CgroupMembership.parse) ?? []

    if let v1 = memberships.first(where: { $0.controllers.contains("memory") }) {
        return readCgroupV1(root: root, path: v1.path, unknowns: &unknowns)
    }
    if let v2 = memberships.first(where: { $0.hierarchyID == "0" && $0.controllers.isEmpty }),
       root.exists("sys/fs/cgroup/cgroup.controllers") {
        return readCgroupV2(root: root, path: v2.path)
    }
    if memberships.isEmpty {
        if root.exists("sys/fs/cgroup/memory/memory.limit_in_bytes") {
            return readCgroupV1(root: root, path: "/", unknowns: &unknowns)
        }
        if root.exists("sys/fs/cgroup/cgroup.controllers") {
            return readCgroupV2(root: root, path: "/")
        }
    }
    return nil
}

/// Directories from the deepest existing level of `path` under `mount` up to `mount` itself.
private func cgroupLevels(root: SystemRoot, mount: String, path: String) -> [String] {
    var components = path.split(separator: "/").map(String.init)
    var levels: [String] = []
    while true {
        let directory = components.isEmpty ? mount : mount + "/" + components.joined(separator: "/")
        if root.isDirectory(directory) || components.isEmpty { levels.append(directory) }
        if components.isEmpty { break }
        components.removeLast()
    }
    return levels
}

private func readCgroupV2(root: SystemRoot, path: String) -> CgroupMemory {
    let levels = cgroupLevels(root: root, mount: "sys/fs/cgroup", path: path)
    var limit: Int64?
    var limitPath: String?
    for level in levels {
        // `max` means unlimited; the root cgroup has no memory.max at all.
        guard let text = root.readLine(level + "/memory.max"), let value = Int64(text) else { continue }
        if value < (limit ?? .max) { limit = value; limitPath = level + "/memory.max" }
    }
    let usage = levels.lazy.compactMap { root.readInt64($0 + "/memory.current") }.first
    return CgroupMemory(version: 2, limitBytes: limit, usageBytes: limit == nil ? nil : usage, limitPath: limitPath)
}

private func readCgroupV1(root: SystemRoot, path: String, unknowns: inout [String]) -> CgroupMemory {
    let mount = "sys/fs/cgroup/memory"
    guard root.isDirectory(mount) else {
        unknowns.append("the memory cgroup is v1 but \(root.describe(mount)) is not mounted: cgroup memory limit unknown")
        return CgroupMemory(version: 1, limitBytes: nil, usageBytes: nil)
    }
    let levels = cgroupLevels(root: root, mount: mount, path: path)
    var limit: Int64?
    var limitPath: String?
    for level in levels {
        guard let value = root.readInt64(level + "/memory.limit_in_bytes"), value < cgroupV1UnlimitedThresholdBytes else { continue }
        if value < (limit ?? .max) { limit = value; limitPath = level + "/memory.limit_in_bytes" }
    }
    let usage = levels.lazy.compactMap { root.readInt64($0 + "/memory.usage_in_bytes") }.first
    return CgroupMemory(version: 1, limitBytes: limit, usageBytes: limit == nil ? nil : usage, limitPath: limitPath)
}

// MARK: - Probe

/// RAM of the machine under `root`: `/proc/meminfo` capped by the cgroup limit.
func probeMemory(root: SystemRoot, unknowns: inout [String], facts: inout [Fact]) -> MemoryInfo {
    var memory = MemoryInfo(totalBytes: 0)
    if let text = root.readText("proc/meminfo") {
        let meminfo = MemInfoFile(parsing: text)
        if let total = meminfo.totalBytes {
            memory.totalBytes = total
            facts.append(Fact(name: "memory.totalBytes", value: describeBytes(total), origin: "'MemTotal' in \(root.describe("proc/meminfo"))"))
        } else {
            unknowns.append("\(root.describe("proc/meminfo")) has no MemTotal line: RAM size unknown")
        }
        memory.availableBytes = meminfo.availableBytes
        if let available = meminfo.availableBytes {
            facts.append(Fact(name: "memory.availableBytes", value: describeBytes(available), origin: "'MemAvailable' in \(root.describe("proc/meminfo"))"))
        }
        if meminfo.totalBytes != nil && meminfo.availableBytes == nil {
            unknowns.append("\(root.describe("proc/meminfo")) has no MemAvailable (Linux < 3.14?): free RAM unknown, total used instead")
        }
    } else if root.isHost, ProcessInfo.processInfo.physicalMemory > 0 {
        // glibc answers _SC_PHYS_PAGES from sysinfo(2), a system call that needs no /proc.
        memory.totalBytes = Int64(clamping: ProcessInfo.processInfo.physicalMemory)
        facts.append(Fact(name: "memory.totalBytes", value: describeBytes(memory.totalBytes),
                          origin: "sysinfo(2) via ProcessInfo.physicalMemory (/proc/meminfo unreadable)"))
        unknowns.append("cannot read /proc/meminfo (is /proc mounted?): RAM total taken from sysinfo(2), free RAM unknown")
    } else {
        unknowns.append("cannot read \(root.describe("proc/meminfo")): RAM size unknown (is /proc mounted?)")
    }
    if let cgroup = probeCgroupMemory(root: root, unknowns: &unknowns) {
        memory.cgroupVersion = cgroup.version
        memory.cgroupLimitBytes = cgroup.limitBytes
        memory.cgroupUsageBytes = cgroup.usageBytes
        let membership = root.exists("proc/self/cgroup") ? " (this process's cgroup from \(root.describe("proc/self/cgroup")))" : ""
        if let limit = cgroup.limitBytes, let path = cgroup.limitPath {
            facts.append(Fact(name: "memory.cgroupLimitBytes", value: describeBytes(limit) + ", cgroup v\(cgroup.version)",
                              origin: "\(root.describe(path)), the tightest level on the way up\(membership)"))
            if let usage = cgroup.usageBytes {
                let file = cgroup.version == 2 ? "memory.current" : "memory.usage_in_bytes"
                facts.append(Fact(name: "memory.cgroupUsageBytes", value: describeBytes(usage), origin: "\(file) of the same cgroup"))
            }
        } else {
            facts.append(Fact(name: "memory.cgroupLimitBytes", value: "none (cgroup v\(cgroup.version))",
                              origin: "every level's \(cgroup.version == 2 ? "memory.max" : "memory.limit_in_bytes") under \(root.describe("sys/fs/cgroup"))\(membership)"))
        }
    }
    return memory
}

/// "24564 MiB (25757220864 bytes)": a byte count as a person reads it, with the exact count kept.
func describeBytes(_ bytes: Int64) -> String {
    let mib = Double(bytes) / 1_048_576
    if mib >= 10_240 { return String(format: "%.2f GiB (%lld bytes)", mib / 1024, bytes) }
    return String(format: "%.0f MiB (%lld bytes)", mib, bytes)
}
