import Foundation
import Testing
@testable import Probe

@Suite struct ParsingTests {
    @Test(arguments: [
        ("0", 1), ("0-31", 32), ("0-3,8-11", 8), ("0,2,4", 3), ("0-1\n", 2),
    ])
    func cpuLists(list: String, count: Int) {
        #expect(cpuListCount(list) == count)
    }

    @Test(arguments: ["", "a-b", "3-1", "0-"])
    func malformedCPUListsAreNil(list: String) {
        #expect(cpuListCount(list) == nil)
    }

    /// Raspberry Pi 4 (arm64) prints no model name, no physical/core ids, and `Features` instead of
    /// `flags` (arch/arm64/kernel/cpuinfo.c); the board model comes at the end, outside any record.
    @Test func arm64CPUInfo() {
        let text = """
        processor\t: 0
        BogoMIPS\t: 108.00
        Features\t: fp asimd evtstrm crc32 cpuid
        CPU implementer\t: 0x41
        CPU architecture: 8
        CPU variant\t: 0x0
        CPU part\t: 0xd08
        CPU revision\t: 3

        processor\t: 1
        BogoMIPS\t: 108.00
        Features\t: fp asimd evtstrm crc32 cpuid
        CPU implementer\t: 0x41
        CPU part\t: 0xd08

        Hardware\t: BCM2835
        Revision\t: c03111
        Model\t\t: Raspberry Pi 4 Model B Rev 1.1
        """
        let cpuinfo = CPUInfoFile(parsing: text)
        #expect(cpuinfo.processors.count == 2)
        #expect(cpuinfo.physicalCoreCount == nil)
        #expect(cpuinfo.first("Model") == "Raspberry Pi 4 Model B Rev 1.1")
        #expect(simdFlags(fromFlagsLine: cpuinfo.first("Features") ?? "") == ["asimd"])
    }

    @Test func meminfoIsKibibytes() {
        let meminfo = MemInfoFile(parsing: "MemTotal:       16289508 kB\nMemFree:         1059928 kB\nMemAvailable:    6774876 kB\n")
        #expect(meminfo.totalBytes == Int64(16_289_508 * 1024))
        #expect(meminfo.availableBytes == Int64(6_774_876 * 1024))
    }

    @Test func cgroupMembershipLines() {
        let lines = CgroupMembership.parse("4:memory:/process_api/x\n3:cpu,cpuacct:/\n0::/user.slice\n")
        #expect(lines.count == 3)
        #expect(lines[0].controllers == ["memory"])
        #expect(lines[1].controllers == ["cpu", "cpuacct"])
        #expect(lines[2].hierarchyID == "0" && lines[2].controllers.isEmpty && lines[2].path == "/user.slice")
    }

    @Test func pciAddressesCompareByValue() {
        #expect(PCIAddressKey("00000000:01:00.0") == PCIAddressKey("0000:01:00.0"))
        #expect(PCIAddressKey("0000:4e:00.0") == PCIAddressKey("00000000:4E:00.0"))
        #expect(PCIAddressKey("01:00.0") == nil)
    }

    @Test func recordedNVMLMatchesEitherBusIDForm() throws {
        let replay = try RecordedNVML(path: Fixtures.machine("desktop-nvidia-amd") + "/nvml.json")
        let reports = try replay.query(pciAddresses: ["0000:01:00.0", "0000:02:00.0"])
        #expect(reports.count == 1)
        #expect(reports.first?.memoryBusWidthBits == 384)
        #expect(reports.first?.maxMemoryClockMHz == 10_501)
    }

    @Test func unreadableReplayIsAnError() {
        #expect(throws: NVMLError.self) { try RecordedNVML(path: "/nonexistent/nvml.json") }
    }
}

@Suite struct ProcessArgumentsTests {
    /// With /proc mounted the runtime's arguments and the initial stack's agree (the test runner's own argv).
    @Test func initialStackMatchesTheRuntimesArguments() throws {
        let recovered = try #require(ProcessArguments.fromInitialStack())
        #expect(recovered == CommandLine.arguments)
        #expect(ProcessArguments.commandLine() == CommandLine.arguments)
    }
}
