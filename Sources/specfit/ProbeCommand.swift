import ArgumentParser
import Foundation
import Probe
import Report
import SpecFitCore

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Show what this machine has: CPU, cores, RAM, measured memory bandwidth, GPUs and their memory.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Measure the CPU bandwidth again instead of using this month's measurement.")
    var remeasure = false

    @Option(name: .long, help: "Read /proc and /sys below this folder instead of / (a recorded machine or a chroot).")
    var root: String?

    @Flag(name: .long, help: "Show every fact with where it came from (file, library call, catalog row) — attach this to a bug report.")
    var explain = false

    func run() throws {
        let catalog = try? global.openCatalog()
        var m: Machine
        if let root {
            guard global.machine == nil else { throw CLIError(message: "give either --root or --machine, not both", code: 1) }
            m = probeMachine(ProbeOptions(root: root, measureBandwidth: false))
            if let catalog { MachineSource.annotateGPUs(&m, cards: (try? catalog.gpus()) ?? []) }
        } else {
            m = try MachineSource.load(global, catalog: catalog, remeasure: remeasure)
        }
        if global.json { try printJSON(m) } else if explain { print(ProbeExplain.render(m)) } else { print(TextReport.machine(m)) }
    }
}
