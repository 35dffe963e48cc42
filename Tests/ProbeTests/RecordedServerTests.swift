import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// CPU-only recorded machines with a cgroup memory limit (NOTE.md in each fixture gives sources).
@Suite struct RecordedServerTests {
    @Test func containerWithCgroupV2Limit() {
        let root = Fixtures.machine("no-gpu-cgroup2")
        let machine = probeMachine(ProbeOptions(root: root, measureBandwidth: false))
        // ollama/ollama discover/cpu_linux_test.go, "#5554 Docker Ollama container inside the LXC":
        // two sockets × 4 cores, 8 threads.
        #expect(machine.cpu.model == "AMD EPYC 9754 128-Core Processor")
        #expect(machine.cpu.physicalCores == 8)
        #expect(machine.cpu.logicalCores == 8)
        #expect(machine.cpu.simdFlags.contains("avx512_bf16"))
        #expect(machine.gpus.isEmpty)
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
        // docker run --memory=8g → memory.max 8589934592; memory.current 2 GiB.
        #expect(machine.memory.cgroupVersion == 2)
        #expect(machine.memory.cgroupLimitBytes == 8 * 1024 * mebibyte)
        #expect(machine.memory.cgroupUsageBytes == 2 * 1024 * mebibyte)
        #expect(machine.memory.totalBytes == 32_780_132 * kibibyte)
        // usable = min(MemAvailable, limit − usage) = min(30468784 kB, 6 GiB).
        #expect(machine.memory.usableBytes == 6 * 1024 * mebibyte)
        #expect(machine.memory.capacityBytes == 8 * 1024 * mebibyte)
    }

    @Test func vmWithCgroupV1Limit() {
        let root = Fixtures.machine("epyc-vm-cgroup1")
        let machine = probeMachine(ProbeOptions(root: root, measureBandwidth: false))
        #expect(machine.cpu.model == "AMD EPYC")
        #expect(machine.cpu.physicalCores == 2)
        #expect(machine.cpu.logicalCores == 2)
        #expect(machine.memory.totalBytes == 24_684_084 * kibibyte)
        // Leaf cgroup /process_api/685772827a650d094806d0ababf7f742: limit set to 4 GiB for this
        // fixture; its parents hold the kernel's "no limit" 9223372036854771712.
        #expect(machine.memory.cgroupVersion == 1)
        #expect(machine.memory.cgroupLimitBytes == 4 * 1024 * mebibyte)
        #expect(machine.memory.cgroupUsageBytes == 609_202_176)
        // Six virtio/host-bridge functions, none of class 0x03.
        #expect(machine.gpus.isEmpty)
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
    }

    @Test(arguments: [
        "9223372036854771712",  // PAGE_COUNTER_MAX × 4 KiB pages (x86-64)
        "9223372036854710272",  // PAGE_COUNTER_MAX × 64 KiB pages (arm64, ppc64le)
    ])
    func cgroupV1UnlimitedValuesMeanNoLimit(value: String) throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixtures.write("4:memory:/\n0::/\n", to: "proc/self/cgroup", under: root)
        try Fixtures.write(value + "\n", to: "sys/fs/cgroup/memory/memory.limit_in_bytes", under: root)
        try Fixtures.write("123456\n", to: "sys/fs/cgroup/memory/memory.usage_in_bytes", under: root)
        var unknowns: [String] = []
        let cgroup = probeCgroupMemory(root: SystemRoot(root.path), unknowns: &unknowns)
        #expect(cgroup == CgroupMemory(version: 1, limitBytes: nil, usageBytes: nil))
        #expect(unknowns.isEmpty)
    }

    @Test func cgroupV2TightestAncestorWins() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixtures.write("0::/outer/inner\n", to: "proc/self/cgroup", under: root)
        try Fixtures.write("memory pids\n", to: "sys/fs/cgroup/cgroup.controllers", under: root)
        try Fixtures.write("1073741824\n", to: "sys/fs/cgroup/outer/memory.max", under: root)
        try Fixtures.write("max\n", to: "sys/fs/cgroup/outer/inner/memory.max", under: root)
        try Fixtures.write("104857600\n", to: "sys/fs/cgroup/outer/inner/memory.current", under: root)
        var unknowns: [String] = []
        let cgroup = probeCgroupMemory(root: SystemRoot(root.path), unknowns: &unknowns)
        #expect(cgroup == CgroupMemory(version: 2, limitBytes: 1024 * mebibyte, usageBytes: 100 * mebibyte,
                                       limitPath: "sys/fs/cgroup/outer/memory.max"))
    }
}
