import ArgumentParser
import Catalog
import Foundation
import SpecFitCore

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine (and a pair) for the causes behind the errors users meet, each with its fix and source.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var runOptions: RunOptions

    @Option(name: .long, help: "Only the causes of this symptom, e.g. \"CUDA out of memory\".")
    var symptom: String?

    @Option(name: .long, help: "Target model for the pair checks.")
    var target: String?

    @Option(name: .long, help: "Draft model for the pair checks.")
    var draft: String?

    @Option(name: .long, parsing: .singleValue, help: "What-if GPU(s) for the pair checks.")
    var gpu: [String] = []

    func run() throws {
        if draft != nil && target == nil { throw CLIError(message: "--draft needs --target", code: 1) }
        let catalog = try global.openCatalog()
        let factory = try FitRequestFactory(catalog: catalog, global: global)
        let entries = try catalog.errorEntries().map {
            ErrorEntry(id: $0["id"] ?? "", symptom: $0["symptom"] ?? "", cause: $0["cause"] ?? "", howToTell: $0["how_to_tell"] ?? "",
                       fix: $0["fix"] ?? "", check: $0["check"] ?? "none", source: $0["source"] ?? "", date: $0["date"] ?? "")
        }.sorted { $0.id < $1.id }
        var fit: (FitResult, FitRequest)?
        if let target {
            let r = try factory.request(target: target, draft: draft, run: runOptions, gpus: try factory.cards(gpu))
            fit = (FitEngine.evaluate(r), r)
        }
        let findings = Doctor.run(entries: entries, machine: factory.machine, fit: fit, symptom: symptom)
        if let s = symptom, findings.isEmpty {
            throw CLIError(message: "no known cause for a symptom matching '\(s)'; `specfit catalog list errors` lists them", code: 2)
        }
        if global.json {
            struct Out: Encodable { let machine: String; let verdict: String?; let findings: [DoctorFinding] }
            try printJSON(Out(machine: factory.machine.origin, verdict: fit?.0.verdict, findings: findings))
            return
        }
        if let (f, _) = fit {
            print(f.verdict)
            if f.kind != .allOnGPU, f.neededBytes > f.availableBytes {
                print(String(format: "  short by %.1f GiB", gib(f.neededBytes - f.availableBytes)))
            }
            for a in f.advice { print("  fix: \(a)") }
            print("")
        }
        let bySymptom = Dictionary(grouping: findings, by: \.entry.symptom)
        for symptom in bySymptom.keys.sorted() {
            print(symptom)
            for f in bySymptom[symptom]! {
                let mark = f.status == .fired ? "PROBLEM" : f.status == .clear ? "ok     " : "–      "
                print("  \(mark) \(f.entry.cause.prefix(110))")
                print("          \(f.finding)")
                if f.status == .fired { print("          fix: \(f.entry.fix) (\(f.entry.source.split(separator: " ").first ?? ""), \(f.entry.date))") }
            }
        }
        let fired = findings.filter { $0.status == .fired }.count
        print("\n\(fired) problem(s), \(findings.filter { $0.status == .clear }.count) ok, \(findings.filter { $0.status == .notChecked }.count) not checked")
    }
}
