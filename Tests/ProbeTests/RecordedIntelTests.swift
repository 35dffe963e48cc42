import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// Intel Arc on the two kernel drivers (NOTE.md of `arc-b580-xe` and `arc-a770-i915` give the sources).
@Suite struct RecordedIntelTests {
    /// xe publishes `tile0/physical_vram_size_bytes`; a B580 logs "Total VRAM: 0x0000000300000000"
    /// (ValveSoftware/steam-for-linux#12636), the same `actual_physical_size` the file prints: 12 GiB.
    @Test func arcB580OnXeHasVRAMFromTheTileFile() throws {
        let machine = Fixtures.probe("arc-b580-xe")
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
        let gpu = try #require(machine.gpus.first)
        #expect(machine.gpus.count == 1)
        // LACT#890: "29:00.0 … Battlemage G21 [Arc B580] … Subsystem: Acer Incorporated [ALI] Device 1877".
        #expect(gpu.pciAddress == "0000:29:00.0")
        #expect(gpu.deviceID == "e20b")
        #expect(gpu.subsystemVendorID == "1025" && gpu.subsystemDeviceID == "1877")
        #expect(gpu.driver == "xe")
        #expect(gpu.isIntegrated == false)
        #expect(gpu.vramTotalBytes == 0x3_0000_0000)
        #expect(gpu.vramFreeBytes == nil)
        #expect(gpu.memorySource?.contains("tile0/physical_vram_size_bytes") == true)
        // pci.ids 2023.04.10 predates Battlemage: no name, so the PCI id is shown.
        #expect(gpu.nameSource == "PCI id (not in pci.ids)")
        #expect(GPUMatcher.match(gpu, cards: Cards.all)?.gpu.id == "arc-b580")
    }

    @Test func arcB580FitsAnEightBillionModel() throws {
        let fit = MachineFit(Fixtures.probe("arc-b580-xe"), Models.llama31_8B)
        #expect(fit.devices.map(\.catalogID) == ["arc-b580"])
        #expect(fit.devices.first?.usableBytes == 12 * 1024 * mebibyte)
        #expect(fit.devices.first?.backend == .sycl)
        #expect(fit.kind == .allOnGPU)
    }

    /// Mainline i915 publishes no VRAM size: unknown, never 0, and said so.
    @Test func arcA770OnMainlineI915IsUnknownNeverZero() throws {
        let machine = Fixtures.probe("arc-a770-i915")
        let gpu = try #require(machine.gpus.first)
        // ProjectPhysX/OpenCL-Benchmark#19: "03:00.0 … DG2 [Arc A770] (rev 08) … Subsystem: Acer … Device 3888".
        #expect(gpu.deviceID == "56a0" && gpu.revision == "08")
        #expect(gpu.subsystemVendorID == "1025" && gpu.subsystemDeviceID == "3888")
        #expect(gpu.driver == "i915")
        #expect(gpu.vramTotalBytes == nil)
        #expect(gpu.vramFreeBytes == nil)
        #expect(machine.unknowns.count == 1)
        #expect(machine.unknowns.first?.contains("VRAM unknown") == true)
        #expect(machine.unknowns.first?.contains("lmem_total_bytes") == true)
        #expect(machine.facts?.contains { $0.name == "gpu 0000:03:00.0 vramTotalBytes" && $0.value == "unknown" } == true)
    }

    /// 56a0 is both A770 memory sizes; with no size from the driver nothing tells them apart, so the fit takes
    /// the smaller (8 GiB) and says why — never the 16 GiB it cannot confirm.
    @Test func arcA770WithUnknownVRAMFitsOnTheSmallerCard() throws {
        let fit = MachineFit(Fixtures.probe("arc-a770-i915"), Models.llama31_8B)
        let device = try #require(fit.devices.first)
        #expect(fit.devices.count == 1)
        #expect(device.usableBytes == 8192 * mebibyte)
        #expect(device.usableBasis.contains("arc-a770-16gb, arc-a770-8gb"))
        #expect(device.name == "Arc A770 8GB or Arc A770 16GB")
        #expect(device.bandwidthGBps == 512)  // the 8 GB card's, planned with
        #expect(fit.kind == .allOnGPU)
        // Qwen2.5 32B Q4_K_M (≈ 18.5 GiB of weights) cannot sit in 8 GiB.
        #expect(MachineFit(Fixtures.probe("arc-a770-i915"), Models.qwen25_32B).kind == .partialOffload)
    }

    /// Intel's out-of-tree i915 puts `lmem_total_bytes`/`lmem_avail_bytes` on the DRM minor
    /// (intel-gpu-i915-backports `i915_sysfs.c`); with them the card is sized and identified.
    @Test func arcA770OnOutOfTreeI915ReadsLmemTotalBytes() throws {
        let root = try Fixtures.copy("arc-a770-i915")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        let card = "sys/devices/pci0000:00/0000:00:01.1/0000:01:00.0/0000:02:01.0/0000:03:00.0/drm/card1/"
        try Fixtures.write("17179869184\n", to: card + "lmem_total_bytes", under: root)
        try Fixtures.write("16909336576\n", to: card + "lmem_avail_bytes", under: root)
        let machine = probeMachine(ProbeOptions(root: root.path, measureBandwidth: false))
        let gpu = try #require(machine.gpus.first)
        #expect(gpu.vramTotalBytes == 16 * 1024 * mebibyte)
        #expect(gpu.vramFreeBytes == 16_909_336_576)
        #expect(gpu.memorySource?.contains("drm/card1/lmem_total_bytes") == true)
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
        #expect(GPUMatcher.match(gpu, cards: Cards.all)?.gpu.id == "arc-a770-16gb")
    }

    /// A driver that writes 0 where it knows no size must not yield "0 bytes of VRAM".
    @Test func aZeroSizeFileIsUnknown() throws {
        let root = try Fixtures.copy("arc-b580-xe")
        defer { try? FileManager.default.removeItem(at: root.deletingLastPathComponent()) }
        try Fixtures.write("0\n", to: "sys/devices/pci0000:00/0000:00:01.1/0000:27:00.0/0000:28:01.0/0000:29:00.0/tile0/physical_vram_size_bytes", under: root)
        let machine = probeMachine(ProbeOptions(root: root.path, measureBandwidth: false))
        #expect(machine.gpus.first?.vramTotalBytes == nil)
        #expect(machine.unknowns.contains { $0.contains("tile*/physical_vram_size_bytes") })
    }
}
