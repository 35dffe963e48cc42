import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// NVIDIA machines: a laptop variant, two GPUs of different models, a busy card and a MIG slice in a
/// container (NOTE.md in each fixture gives the sources).
@Suite struct RecordedNVIDIATests {
    /// "RTX 5090" is a 32 GB desktop card (10de:2b85) and a 24 GB laptop GPU (10de:2c58 and 2c18): the PCI
    /// id picks the laptop row (akash-network/provider-configs#89: `PCI\VEN_10DE&DEV_2C58&SUBSYS_30111A58&REV_A1`).
    @Test func laptopGPUMatchesTheLaptopRowByPCIID() throws {
        let machine = Fixtures.probe("laptop-rtx5090")
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
        let gpu = try #require(machine.gpus.first)
        #expect(gpu.deviceID == "2c58" && gpu.subsystemVendorID == "1a58" && gpu.subsystemDeviceID == "3011")
        #expect(gpu.name == "NVIDIA GeForce RTX 5090 Laptop GPU")
        let match = try #require(GPUMatcher.match(gpu, cards: Cards.all))
        #expect(match.gpu.id == "rtx-5090-laptop-2c58")
        #expect(match.gpu.variant == .laptop)
    }

    @Test func laptopFitUsesTheLaptopsMemoryAndBandwidth() throws {
        let fit = MachineFit(Fixtures.probe("laptop-rtx5090"), Models.qwen25_32B)
        let device = try #require(fit.devices.first)
        #expect(device.catalogID == "rtx-5090-laptop-2c58")
        #expect(device.bandwidthGBps == 896)  // the desktop card's 1792 would double the predicted speed
        #expect(device.usableBytes == 24 * 1024 * mebibyte)
        #expect(fit.kind == .allOnGPU)
        // 70B Q4_K_M (≈ 40 GiB) fits the desktop 5090 no better, but on 24 GiB it must spill to the CPU.
        #expect(MachineFit(Fixtures.probe("laptop-rtx5090"), Models.llama31_70B).kind == .partialOffload)
    }

    /// RTX 5090 (club-3090#617: 492MiB / 32607MiB) and RTX 4090 (RLinf#255: 507MiB / 24564MiB) in one box.
    @Test func twoGPUsOfDifferentModels() throws {
        let machine = Fixtures.probe("multi-nvidia-mixed")
        #expect(machine.unknowns.isEmpty, "unexpected unknowns: \(machine.unknowns)")
        #expect(machine.gpus.map(\.pciAddress) == ["0000:01:00.0", "0000:02:00.0"])
        #expect(machine.gpus.map(\.name) == ["NVIDIA GeForce RTX 5090", "NVIDIA GeForce RTX 4090"])
        #expect(machine.gpus.map(\.vramTotalBytes) == [32_607 * mebibyte, 24_564 * mebibyte])
        #expect(machine.gpus.map(\.vramFreeBytes) == [(32_607 - 492) * mebibyte, (24_564 - 507) * mebibyte])
        #expect(machine.gpus.allSatisfy { $0.visibleToRuntime == true })
    }

    /// A 70B Q4_K_M model is more than either card holds but fits both together, split by layers.
    @Test func mixedGPUsSplitASeventyBillionModel() throws {
        let fit = MachineFit(Fixtures.probe("multi-nvidia-mixed"), Models.llama31_70B)
        #expect(fit.devices.map(\.catalogID) == ["rtx-5090", "rtx-4090"])
        #expect(fit.devices.map(\.bandwidthGBps) == [1792, 1008])
        #expect(fit.kind == .allOnGPU, "\(fit.result.verdict)")
        #expect(fit.gpuLayers.count == 2 && fit.gpuLayers.allSatisfy { $0 > 0 })
        #expect(fit.gpuLayers.reduce(0, +) == 80)
    }

    /// club-3090#745: an RTX 3090 with "21848MiB / 24576MiB" in use by another process.
    @Test func busyCardReportsFreeBelowTotal() throws {
        let gpu = try #require(Fixtures.probe("busy-rtx3090").gpus.first)
        #expect(gpu.vramTotalBytes == 24_576 * mebibyte)
        #expect(gpu.vramFreeBytes == (24_576 - 21_848) * mebibyte)
    }

    /// The fit uses what is free: 2.66 GiB, less the 1 GiB margin, holds only part of an 8B Q4_K_M model —
    /// though the idle card (24 GiB) would hold all of it.
    @Test func busyCardFitUsesFreeMemory() throws {
        let machine = Fixtures.probe("busy-rtx3090")
        let live = MachineFit(machine, Models.llama31_8B)
        let device = try #require(live.devices.first)
        #expect(device.usableBytes == (24_576 - 21_848) * mebibyte)
        #expect(device.usableBasis.contains("held by other processes"))
        #expect(live.kind == .partialOffload)
        #expect(MachineFit(machine, Models.llama31_8B, liveFreeMemory: false).kind == .allOnGPU)
    }

    /// In a container given one MIG device: NVML refuses the parent's memory (nvidia-container-toolkit#842,
    /// "Insufficient Permissions") and answers for the MIG 2g.20gb device (nvitop#8: "13MiB / 19968MiB");
    /// the host's second A100 is on the PCI bus (Docker shows the host's /sys) but NVML does not know it.
    @Test func migSliceInAContainer() throws {
        let machine = Fixtures.probe("mig-a100-container")
        let visible = try #require(machine.gpus.first { $0.pciAddress == "0000:01:00.0" })
        let hidden = try #require(machine.gpus.first { $0.pciAddress == "0000:41:00.0" })
        #expect(visible.visibleToRuntime == true)
        #expect(visible.migDevices?.count == 1)
        #expect(visible.migDevices?.first?.profile == "2g.20gb")
        #expect(visible.vramTotalBytes == 19_968 * mebibyte)
        #expect(visible.vramFreeBytes == (19_968 - 13) * mebibyte)
        #expect(hidden.visibleToRuntime == false)
        #expect(hidden.vramTotalBytes == nil)
        // The refused parent query is explained, not reported as missing memory.
        #expect(!machine.unknowns.contains { $0.contains("Insufficient Permissions") })
        #expect(machine.facts?.contains { $0.name == "gpu 0000:01:00.0 parent memory" && $0.value.contains("Insufficient Permissions") } == true)
        #expect(machine.unknowns.contains { $0.contains("0000:41:00.0") && $0.contains("cannot use it") })
        // docker --memory=64g.
        #expect(machine.memory.cgroupLimitBytes == 64 * 1024 * mebibyte)
    }

    /// The fit sees one 19.5 GiB device with a quarter of the A100's bandwidth (2 of 8 memory slices), never
    /// 80 GB, never two cards.
    @Test func migFitUsesTheSliceOnly() throws {
        let machine = Fixtures.probe("mig-a100-container")
        let fit = MachineFit(machine, Models.llama31_8B)
        let device = try #require(fit.devices.first)
        #expect(fit.devices.count == 1)
        #expect(device.name == "A100 80GB SXM MIG 2g.20gb")
        #expect(device.usableBytes == (19_968 - 13) * mebibyte)
        #expect(abs(device.bandwidthGBps - 2039.0 * 19_968 / 81_920) < 0.01)
        #expect(fit.notes.contains { $0.contains("0000:41:00.0") && $0.contains("not visible") })
        #expect(fit.kind == .allOnGPU)
        #expect(MachineFit(machine, Models.llama31_70B).kind == .partialOffload)
    }

    /// Where NVML answers the parent's memory too (a privileged container, the host), it is the whole card's;
    /// the MIG device CUDA runs on still decides.
    @Test func migSliceWinsOverTheParentsFullMemory() throws {
        struct Answering: NVMLSource {
            var sourceDescription: String { "NVML test" }
            func query(pciAddresses: [String]) throws(NVMLError) -> [NVMLDeviceReport] {
                [NVMLDeviceReport(pciAddress: "0000:01:00.0", name: "NVIDIA A100-SXM4-80GB",
                                  memoryTotalBytes: 81_920 * mebibyte, memoryFreeBytes: 81_833 * mebibyte, memoryUsedBytes: 87 * mebibyte,
                                  migEnabled: true,
                                  migDevices: [MIGDevice(index: 0, name: "NVIDIA A100-SXM4-80GB MIG 2g.20gb", profile: "2g.20gb",
                                                         memoryTotalBytes: 19_968 * mebibyte, memoryFreeBytes: 19_955 * mebibyte)])]
            }
        }
        let machine = Fixtures.probe("mig-a100-container", nvml: Answering())
        let gpu = try #require(machine.gpus.first { $0.pciAddress == "0000:01:00.0" })
        #expect(gpu.vramTotalBytes == 19_968 * mebibyte)
        #expect(MachineFit(machine, Models.llama31_8B).devices.first?.usableBytes == 19_955 * mebibyte)
    }

    @Test func migProfileFromName() {
        #expect(migProfile(fromName: "NVIDIA A100-SXM4-80GB MIG 2g.20gb") == "2g.20gb")
        #expect(migProfile(fromName: "NVIDIA H100 80GB HBM3 MIG 1g.10gb") == "1g.10gb")
        #expect(migProfile(fromName: "NVIDIA GeForce RTX 4090") == nil)
    }
}
