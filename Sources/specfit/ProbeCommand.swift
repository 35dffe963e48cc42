import ArgumentParser
import Foundation
import Report

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Show what this machine has: CPU, cores, RAM, measured memory bandwidth, GPUs and their memory.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Measure the CPU bandwidth again instead of using this month's measurement.")
    var remeasure = false

    func run() throws {
        let catalog = try? global.openCatalog()
        let m = try MachineSource.load(global, catalog: catalog, remeasure: remeasure)
        if global.json { try printJSON(m) } else { print(TextReport.machine(m)) }
    }
}
