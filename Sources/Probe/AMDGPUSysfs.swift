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

    /// AMD integrated GPUs (APUs) by PCI device id, for the APUs whose carve-out is too large for
    /// `looksIntegrated` (a BIOS can set 8 GiB or 96 GiB). Names from pci.ids 2023.04.10 (vendor 1002:
    /// 15dd Raven Ridge, 15d8 Picasso/Raven 2, 1636 Renoir, 1638 Cezanne, 164c Lucienne, 15e7 Barcelo,
    /// 1681 Rembrandt, 164e Raphael, 1506 Mendocino, 15bf Phoenix1, 15c8 Phoenix2, 163f VanGogh); newer ones
    /// from isc30/ryzen-gpu-passthrough-proxmox#136 (13c0 Granite Ridge, the Ryzen 9000 desktop iGPU) and
    /// the catalog's igpu rows (1900 Hawk Point, 150e Strix Point, 1586 Strix Halo; libdrm amdgpu.ids).
    static let apuDeviceIDs: [UInt16: String] = [
        0x15dd: "Raven Ridge", 0x15d8: "Picasso/Raven 2", 0x1636: "Renoir", 0x1638: "Cezanne", 0x164c: "Lucienne",
        0x15e7: "Barcelo", 0x1681: "Rembrandt", 0x164e: "Raphael", 0x1506: "Mendocino", 0x15bf: "Phoenix1",
        0x15c8: "Phoenix2", 0x163f: "VanGogh", 0x13c0: "Granite Ridge", 0x1900: "Hawk Point", 0x150e: "Strix Point",
        0x1586: "Strix Halo",
    ]
}
