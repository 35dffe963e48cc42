import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// `doctor`'s machine checks on recorded machines (issue #10): each fires where it must and stays quiet where
/// it must not.
@Suite struct DoctorRecordedTests {
    static func machine(_ name: String) -> Machine {
        probeMachine(ProbeOptions(root: Fixtures.machine(name), measureBandwidth: false))
    }
    static func status(_ check: String, _ m: Machine) -> DoctorFinding.Status {
        let e = ErrorEntry(id: check, symptom: "s", cause: "c", howToTell: "h", fix: "f", check: check, source: "test", date: "d")
        return Doctor.run(entries: [e], machine: m, fit: nil)[0].status
    }

    @Test func busy_card_fires_other_processes_vram() {
        // busy-rtx3090: nvidia-smi "21848MiB / 24576MiB" (club-3090#745).
        #expect(Self.status("other_processes_vram", Self.machine("busy-rtx3090")) == .fired)
        // desktop-nvidia-amd: the 4090 has 507 MiB in use.
        #expect(Self.status("other_processes_vram", Self.machine("desktop-nvidia-amd")) == .clear)
    }

    @Test func container_that_cannot_see_a_gpu() {
        // mig-a100-container: NVML answers for the MIG slice's parent only; the second A100 is on the bus but not visible.
        #expect(Self.status("container_no_gpu", Self.machine("mig-a100-container")) == .fired)
        #expect(Self.status("container_no_gpu", Self.machine("desktop-nvidia-amd")) == .clear)
    }
}
