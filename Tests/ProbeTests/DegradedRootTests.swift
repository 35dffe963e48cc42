import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// Roots that lack what the probe reads: it must finish and say what it could not learn.
@Suite struct DegradedRootTests {
    @Test func emptyRootFinishesWithUnknowns() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let machine = probeMachine(ProbeOptions(root: root.path, measureBandwidth: false))
        #expect(machine.gpus.isEmpty)
        #expect(machine.cpu.logicalCores == 1)
        #expect(machine.memory.totalBytes == 0)
        #expect(machine.memory.cgroupVersion == nil)
        #expect(machine.unknowns.contains { $0.hasPrefix("no /sys/bus/pci under \(root.path): GPUs unknown") })
        #expect(machine.unknowns.contains { $0.contains("/proc/cpuinfo") })
        #expect(machine.unknowns.contains { $0.contains("/proc/meminfo") })
    }

    @Test func missingRootFinishesWithUnknowns() {
        let machine = probeMachine(ProbeOptions(root: "/nonexistent/specfit-probe-root", measureBandwidth: false))
        #expect(machine.gpus.isEmpty)
        #expect(machine.unknowns.first == "/nonexistent/specfit-probe-root is not a directory: nothing about this machine can be read")
    }

    @Test func bandwidthIsNotMeasuredForARecordedRoot() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let machine = probeMachine(ProbeOptions(root: root.path, measureBandwidth: true))
        #expect(machine.cpu.measuredBandwidth == nil)
        #expect(machine.unknowns.contains { $0.hasPrefix("CPU memory bandwidth not measured") })
    }

    /// libpci's own error handler calls exit(1) (pciutils lib/init.c `pci_generic_error`); these
    /// trees make libpci report an error, which must come back as an unknown instead.
    @Test func libpciErrorOnUnparseableEntryDoesNotExit() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixtures.write("not a device\n", to: "sys/bus/pci/devices/README", under: root)
        let machine = probeMachine(ProbeOptions(root: root.path, measureBandwidth: false))
        #expect(machine.gpus.isEmpty)
        #expect(machine.unknowns.contains { $0.contains("libpci could not read") && $0.contains("README") })
    }

    @Test func libpciErrorOnMissingVendorFileDoesNotExit() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixtures.write("0x030000\n", to: "sys/bus/pci/devices/0000:01:00.0/class", under: root)
        #expect(throws: PCIBusError.self) {
            try PCIBus.scan(sysfsBusPCI: root.path + "/sys/bus/pci", pciIDsPath: nil)
        }
        // The session after a failed one still works.
        let scan = try PCIBus.scan(sysfsBusPCI: Fixtures.machine("desktop-nvidia-amd") + "/sys/bus/pci", pciIDsPath: nil)
        #expect(scan.devices.count == 5)
    }

    @Test func amdGPUWithoutAmdgpuCountersIsAnUnknown() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let device = "sys/bus/pci/devices/0000:03:00.0/"
        for (file, value) in [("vendor", "0x1002"), ("device", "0x744c"), ("class", "0x030000"), ("revision", "0xc8")] {
            try Fixtures.write(value + "\n", to: device + file, under: root)
        }
        let machine = probeMachine(ProbeOptions(root: root.path, measureBandwidth: false))
        #expect(machine.gpus.count == 1)
        #expect(machine.gpus.first?.vramTotalBytes == nil)
        #expect(machine.gpus.first?.driver == nil)
        #expect(machine.unknowns.contains { $0.hasPrefix("no mem_info_vram_total") })
    }

    /// An ASPEED AST2500 BMC (1a03:2000, class 0x030000 — pci.ids "ASPEED Graphics Family") is a
    /// display controller on almost every GPU server, but nothing runs on it.
    @Test func bmcGraphicsIsNotAGPU() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let device = "sys/bus/pci/devices/0000:02:00.0/"
        for (file, value) in [("vendor", "0x1a03"), ("device", "0x2000"), ("class", "0x030000"), ("revision", "0x41"),
                              ("subsystem_vendor", "0x1a03"), ("subsystem_device", "0x2000")] {
            try Fixtures.write(value + "\n", to: device + file, under: root)
        }
        let machine = probeMachine(ProbeOptions(root: root.path, measureBandwidth: false))
        #expect(machine.gpus.isEmpty)
        #expect(!machine.unknowns.contains { $0.contains("0000:02:00.0") })
    }
}
