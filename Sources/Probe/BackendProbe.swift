import Foundation
import SpecFitCore

/// Which llama.cpp backends a GPU can likely run, from the driver and runtime files the machine has.
///
/// Everything is read under `root`, so a recorded machine answers as the real one did:
/// - CUDA needs the NVIDIA kernel module (`/proc/driver/nvidia/version`, written by nvidia.ko) and the
///   user-space driver `libcuda.so.1` that every CUDA program loads (CUDA Driver API; the NVIDIA container
///   toolkit mounts it into containers).
/// - ROCm/HIP needs the amdgpu KFD device `/dev/kfd` (ROCm's "Prerequisites": the user must be able to open
///   /dev/kfd and /dev/dri/renderD*); `libamdhip64.so` is reported when found.
/// - Vulkan needs the loader `libvulkan.so.1` and an ICD manifest for the GPU's vendor in one of the loader's
///   search folders (Khronos Vulkan-Loader docs/LoaderDriverInterface.md, "Driver Discovery on Linux":
///   /usr/local/etc/vulkan/icd.d, /usr/local/share/vulkan/icd.d, /etc/vulkan/icd.d, /usr/share/vulkan/icd.d),
///   whose `ICD.library_path` names the driver (libvulkan_radeon.so = RADV, libvulkan_intel.so = ANV,
///   libGLX_nvidia.so.0 = NVIDIA).
/// - SYCL on Intel needs the Level Zero loader `libze_loader.so.1` and Intel's GPU driver for it
///   `libze_intel_gpu.so.1` (intel/compute-runtime).
struct BackendEnvironment: Sendable {
    let root: SystemRoot
    /// Library folders searched, relative to the root, in order.
    let libraryDirectories: [String]
    /// Vulkan ICD manifests found: (path relative to the root, library_path inside).
    let vulkanICDs: [(path: String, library: String)]

    /// Folders where distributions and vendors put shared libraries (Debian/Ubuntu multiarch, Fedora lib64,
    /// CUDA and ROCm install trees, WSL's driver folder), plus those listed in /etc/ld.so.conf.d/*.conf.
    static let standardLibraryDirectories = [
        "usr/lib/x86_64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu",
        "usr/lib64", "lib64", "usr/lib", "lib", "usr/local/lib", "usr/local/cuda/lib64", "usr/local/cuda/compat",
        "opt/rocm/lib", "opt/rocm/lib64", "usr/lib/wsl/lib",
    ]
    static let icdDirectories = ["usr/local/etc/vulkan/icd.d", "usr/local/share/vulkan/icd.d", "etc/vulkan/icd.d", "usr/share/vulkan/icd.d"]

    init(root: SystemRoot) {
        self.root = root
        var directories = Self.standardLibraryDirectories
        for conf in root.list("etc/ld.so.conf.d") where conf.hasSuffix(".conf") {
            for line in (root.readText("etc/ld.so.conf.d/\(conf)") ?? "").split(separator: "\n") {
                let entry = line.trimmingCharacters(in: .whitespaces)
                guard entry.hasPrefix("/") else { continue }
                let relative = String(entry.dropFirst())
                if !directories.contains(relative) { directories.append(relative) }
            }
        }
        libraryDirectories = directories
        var icds: [(String, String)] = []
        for directory in Self.icdDirectories {
            for file in root.list(directory) where file.hasSuffix(".json") {
                let path = "\(directory)/\(file)"
                guard let text = root.readText(path),
                      let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                      let icd = object["ICD"] as? [String: Any], let library = icd["library_path"] as? String else { continue }
                icds.append((path, library))
            }
        }
        vulkanICDs = icds
    }

    /// The first folder holding `name` (a soname such as "libcuda.so.1", or a prefix ending in "*").
    func find(_ name: String) -> String? {
        for directory in libraryDirectories {
            if name.hasSuffix("*") {
                let prefix = String(name.dropLast())
                if let hit = root.list(directory).first(where: { $0.hasPrefix(prefix) }) { return "\(directory)/\(hit)" }
            } else if root.exists("\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    /// The Vulkan ICD manifests whose driver serves `vendorID`.
    func icds(forVendor vendorID: String) -> [(path: String, library: String)] {
        let needles: [String] = switch vendorID {
        case "10de": ["nvidia"]
        case "1002": ["radeon", "amdvlk", "amdgpu"]
        case "8086": ["intel"]
        default: []
        }
        return vulkanICDs.filter { icd in needles.contains { icd.library.lowercased().contains($0) || icd.path.lowercased().contains($0) } }
    }

    /// Backends for one GPU, the vendor's own first, then Vulkan.
    func backends(for gpu: GPUDevice) -> [BackendAvailability] {
        var out: [BackendAvailability] = []
        let driver = gpu.driver ?? "none"
        switch gpu.vendorID {
        case "10de":
            let module = root.readLine("proc/driver/nvidia/version")
            let libcuda = find("libcuda.so.1")
            var evidence: [String] = []
            evidence.append(module.map { "\(root.describe("proc/driver/nvidia/version")): \(Self.nvidiaVersion($0))" }
                            ?? "no \(root.describe("proc/driver/nvidia/version")) (NVIDIA kernel module not loaded)")
            evidence.append(libcuda.map { "libcuda.so.1 at \(root.describe($0))" } ?? "no libcuda.so.1 in the library folders (user-space driver missing)")
            out.append(BackendAvailability(backend: .cuda, likelyUsable: module != nil && libcuda != nil && driver == "nvidia",
                                           evidence: evidence.joined(separator: "; ") + (driver == "nvidia" ? "" : "; GPU bound to driver \(driver), not nvidia")))
        case "1002":
            let kfd = root.exists("dev/kfd")
            let hip = find("libamdhip64.so*")
            var evidence = [kfd ? "\(root.describe("dev/kfd")) present" : "no \(root.describe("dev/kfd")) (amdgpu KFD not available here)"]
            evidence.append(hip.map { "HIP runtime at \(root.describe($0))" } ?? "no libamdhip64.so in the library folders (a HIP build of llama.cpp brings its own or needs ROCm installed)")
            out.append(BackendAvailability(backend: .rocm, likelyUsable: kfd && driver == "amdgpu",
                                           evidence: evidence.joined(separator: "; ") + (driver == "amdgpu" ? "" : "; GPU bound to driver \(driver), not amdgpu")))
        case "8086":
            let loader = find("libze_loader.so.1")
            let l0 = find("libze_intel_gpu.so.1")
            let evidence = [loader.map { "Level Zero loader at \(root.describe($0))" } ?? "no libze_loader.so.1",
                            l0.map { "Intel Level Zero driver at \(root.describe($0))" } ?? "no libze_intel_gpu.so.1 (intel/compute-runtime)"]
            out.append(BackendAvailability(backend: .sycl, likelyUsable: loader != nil && l0 != nil && (driver == "xe" || driver == "i915"),
                                           evidence: evidence.joined(separator: "; ")))
        default:
            break
        }
        let loader = find("libvulkan.so.1")
        let icds = icds(forVendor: gpu.vendorID)
        var evidence = [loader.map { "Vulkan loader at \(root.describe($0))" } ?? "no libvulkan.so.1 (Vulkan loader)"]
        evidence.append(icds.isEmpty ? "no ICD manifest for vendor \(gpu.vendorID) in \(Self.icdDirectories.map { "/" + $0 }.joined(separator: ", "))"
                                     : icds.map { "ICD \(root.describe($0.path)) → \($0.library)" }.joined(separator: ", "))
        out.append(BackendAvailability(backend: .vulkan, likelyUsable: loader != nil && !icds.isEmpty && gpu.driver != nil,
                                       evidence: evidence.joined(separator: "; ") + (gpu.driver == nil ? "; no kernel driver bound" : "")))
        return out
    }

    /// "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.163.01  Tue Apr  8 …" (or "… Open Kernel Module for
    /// x86_64  570.86.16 …") → "NVIDIA kernel module 550.163.01": the first dotted number after "Module".
    static func nvidiaVersion(_ line: String) -> String {
        let words = line.split(separator: " ")
        let start = words.firstIndex(of: "Module") ?? words.startIndex
        if let version = words[start...].first(where: { $0.contains(".") && $0.allSatisfy { $0.isNumber || $0 == "." } }) {
            return "NVIDIA kernel module \(version)"
        }
        return line
    }
}
