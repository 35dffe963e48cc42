import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// The machine the tests run on: whatever it is, the probe must finish and agree with what the
/// kernel says through files the test reads itself.
@Suite struct LiveProbeTests {
    @Test func liveMachine() throws {
        let machine = probeMachine(ProbeOptions(measureBandwidth: false))
        #expect(machine.origin == "live probe")
        #expect(machine.cpu.logicalCores >= 1)
        #expect(machine.cpu.logicalCores <= ProcessInfo.processInfo.processorCount)
        #expect(machine.memory.totalBytes > 0)
        // MemTotal is at most the physical pages sysconf counts (lxcfs may show a container less).
        #expect(machine.memory.totalBytes <= Int64(ProcessInfo.processInfo.physicalMemory))

        // GPUs: as many as sysfs lists display-class (0x03xxxx) functions.
        let devices = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/bus/pci/devices")) ?? []
        let displayCount = devices.filter { address in
            let classText = (try? String(contentsOfFile: "/sys/bus/pci/devices/\(address)/class", encoding: .utf8)) ?? ""
            return classText.hasPrefix("0x03")
        }.count
        #expect(machine.gpus.count == displayCount)
    }

    @Test func allowedCPUsMatchTheKernel() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let list = line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)
        let machine = probeMachine(ProbeOptions(measureBandwidth: false))
        #expect(machine.cpu.logicalCores == cpuListCount(list))
    }

    @Test func triadBandwidthWithSmallArrays() {
        let measurement = measureTriadBandwidth(threads: 2, megabytesPerArray: 4)
        #expect(measurement.triadGBps > 0.5)
        #expect(measurement.threads == 2)
        #expect(measurement.arrayBytes == 4 * mebibyte)
        #expect(!measurement.measuredAt.isEmpty)
    }
}
