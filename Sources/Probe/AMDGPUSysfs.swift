import Foundation

/// Memory counters the amdgpu driver publishes in the PCI device's sysfs directory, in bytes.
///
/// Files: `mem_info_vram_total`, `mem_info_vram_used`, `mem_info_gtt_total`, `mem_info_gtt_used`
/// (Linux Documentation/gpu/amdgpu/driver-misc.rst, "mem_info_vram_total" … "mem_info_gtt_used";
/// drivers/gpu/drm/amd/amdgpu/amdgpu_vram_mgr.c and amdgpu_gtt_mgr.c). GTT is system memory the GPU
/// can map; on an APU it is where almost everything lives.
struct AMDGPUMemory: Sendable, Equatable {
    var vramTotalBytes: Int64?
    var vramUsedBytes: Int64?
    var gttTotalBytes: Int64?
    var gttUsedBytes: Int64?

    var vramFreeBytes: Int64? { free(total: vramTotalBytes, used: vramUsedBytes) }
    var gttFreeBytes: Int64? { free(total: gttTotalBytes, used: gttUsedBytes) }

    private func free(total: Int64?, used: Int64?) -> Int64? {
        guard let total, let used else { return nil }
        return max(0, total - used)
    }

    /// Reads the counters of the device at `pciAddress` under `root`; nil when the driver publishes none.
    static func read(root: SystemRoot, pciAddress: String) -> AMDGPUMemory? {
        let directory = "sys/bus/pci/devices/\(pciAddress)/"
        let memory = AMDGPUMemory(
            vramTotalBytes: root.readInt64(directory + "mem_info_vram_total"),
            vramUsedBytes: root.readInt64(directory + "mem_info_vram_used"),
            gttTotalBytes: root.readInt64(directory + "mem_info_gtt_total"),
            gttUsedBytes: root.readInt64(directory + "mem_info_gtt_used"))
        return memory == AMDGPUMemory() ? nil : memory
    }

    /// An AMD APU's carve-out ("UMA frame buffer") is set by firmware, typically 512 MiB, while its
    /// GTT is half of system RAM; a discrete card's VRAM is ≥ 2 GiB. So VRAM below 1 GiB with a
    /// larger GTT means integrated. (Example: Ryzen 9 5900HS, "512M of VRAM memory ready … 7695M of
    /// GTT memory ready", clbr/radeontop#163.) An APU whose firmware carves out ≥ 1 GiB (Strix Halo
    /// can be set to 96 GiB) is not caught here; the catalog match (variant iGPU) corrects it.
    static let integratedVRAMCeilingBytes: Int64 = 1 << 30

    var looksIntegrated: Bool {
        guard let vram = vramTotalBytes else { return false }
        return vram < Self.integratedVRAMCeilingBytes && (gttTotalBytes ?? 0) > vram
    }
}
