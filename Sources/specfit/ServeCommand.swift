import ArgumentParser
import Catalog
import Dispatch
import Foundation
import SpecFitCore
import SpecFitWeb

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the same answers as web pages and a JSON API (/api/) on this machine; loopback only unless --allow-remote.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Address to listen on (loopback: 127.0.0.1, ::1, localhost).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on; 0 picks a free one (printed once listening).")
    var port = 8080

    @Flag(name: .customLong("allow-remote"), help: "Allow a --host other machines can reach, and any Host header.")
    var allowRemote = false

    @Flag(name: .customLong("allow-write"), help: "Let endpoints change the catalog (none does yet; without it POST/PUT/PATCH/DELETE get 403).")
    var allowWrite = false

    func run() throws {
        let options = ServeOptions(host: host, port: port, allowRemote: allowRemote, allowWrite: allowWrite)
        do { try options.validate() } catch { throw CLIError(message: error.message, code: 1) }
        let catalog = try global.openCatalog()
        // The machine is probed once, here; every answer is for that snapshot.
        let backend = try CommandBackend(catalog: catalog, global: global)
        let server = WebServer(backend: backend, options: options)
        let failure = ErrorBox()
        let stopped = DispatchSemaphore(value: 0)
        let shown = host.contains(":") ? "[\(host)]" : host
        _Concurrency.Task {
            do {
                try await server.run { port in
                    // Unbuffered, so a script reading the pipe sees the line at once.
                    FileHandle.standardOutput.write(Data("specfit serve: listening on http://\(shown):\(port)/ (pages; JSON under /api/) for \(backend.machineLabel); Ctrl-C stops\n".utf8))
                }
            } catch {
                failure.set(error)
            }
            stopped.signal()
        }
        stopped.wait()
        if let e = failure.error {
            throw CLIError(message: "cannot serve on \(host) port \(port): \(e); choose another --port (0 picks a free one)", code: 3)
        }
    }
}

/// The error a server task ended with, handed back to the waiting command.
final class ErrorBox: @unchecked Sendable {
    // Written once by the server task before it signals, read after the wait: the semaphore orders the two.
    private var stored: (any Error)?
    func set(_ e: any Error) { stored = e }
    var error: (any Error)? { stored }
}

/// `serve`'s answers, computed by the commands' own code: each request's inputs become the command's
/// arguments, parsed by the command's own parser, then resolved by one ``FitRequestFactory`` made at start
/// (one probe, one catalog read) — so a page and `specfit fit …` give the same numbers.
struct CommandBackend: SpecFitBackend {
    let factory: FitRequestFactory
    let machine: Machine
    let machineLabel: String
    let globalArguments: [String]
    let version = SpecFit.configuration.version
    let modelIDs: [String]
    let gpuIDs: [String]
    let catalogTables = CatalogCommand.tables

    init(catalog: CatalogStore, global: GlobalOptions) throws {
        factory = try FitRequestFactory(catalog: catalog, global: global)
        machine = factory.machine
        machineLabel = factory.hardware([]).label
        globalArguments = global.machine.map { ["--machine", $0] } ?? []
        modelIDs = factory.models.map(\.id)
        gpuIDs = factory.allCards.filter { $0.vramMiB > 0 && $0.bandwidthGBps > 0 }.map(\.id)
    }

    func fit(_ inputs: FitInputs) throws(WebError) -> FitResult {
        try answer {
            let c = try FitCommand.parse(inputs.arguments(explicit: true).forParser)
            try refuseFiles([c.target] + (c.draft.map { [$0] } ?? []))
            return FitEngine.evaluate(try factory.request(target: c.target, draft: c.draft, run: c.runOptions, gpus: try factory.cards(c.gpu)))
        }
    }

    func compare(_ inputs: CompareInputs) throws(WebError) -> Comparison {
        try answer {
            let c = try CompareCommand.parse(inputs.arguments(explicit: true).forParser)
            try refuseFiles(c.pairOptions.target + c.pairOptions.draft)
            return try CompareCommand.comparison(c.gpus, factory: factory, catalog: factory.catalog, run: c.runOptions, pairs: c.pairOptions)
        }
    }

    func chooseGPU(_ inputs: ChooseGPUInputs) throws(WebError) -> GPUChoiceList {
        try answer {
            let c = try ChooseGPUCommand.parse(inputs.arguments(explicit: true).forParser)
            try refuseFiles([c.target] + (c.draft.map { [$0] } ?? []))
            let (base, choices) = try c.choices(factory: factory)
            return GPUChoiceList(target: base.target.id, draft: base.draft?.id, nCtx: base.config.nCtx, choices: Array(choices.prefix(c.top)))
        }
    }

    func cost(_ inputs: CostInputs) throws(WebError) -> CostEstimate {
        try answer {
            let c = try CostCommand.parse(inputs.arguments(explicit: true).forParser)
            try refuseFiles([c.target] + (c.draft.map { [$0] } ?? []))
            return try c.estimate(factory: factory)
        }
    }

    func recommend(_ inputs: RecommendInputs) throws(WebError) -> RecommendationList {
        try answer {
            let c = try RecommendCommand.parse(inputs.arguments(explicit: true).forParser)
            let (base, r) = try c.recommendations(factory: factory)
            return RecommendationList(machine: base.machineLabel, evaluated: r.evaluated, ranked: r.ranked, closest: r.closest)
        }
    }

    func catalogRows(table: String) throws(WebError) -> [[String: String]] {
        guard catalogTables.contains(table) else {
            throw .notFound("unknown table '\(table)'; use one of \(catalogTables.joined(separator: ", "))", candidates: catalogTables)
        }
        return try answer { try factory.catalog.rows(table: table) }
    }

    /// `catalog search`: rows whose id, name, aliases, family, Hugging Face repository or members contain the text.
    func catalogSearch(_ text: String) throws(WebError) -> [[String: String]] {
        let q = text.lowercased()
        return try answer {
            var hits: [[String: String]] = []
            for table in catalogTables.dropLast() {
                for row in try factory.catalog.rows(table: table) {
                    let haystack = ["id", "name", "aliases", "family", "hf_repo", "members"].compactMap { row[$0] }.joined(separator: " ").lowercased()
                    if haystack.contains(q) { hits.append(["table": table, "id": row["id"] ?? "", "name": row["name"] ?? row["members"] ?? ""]) }
                }
            }
            return hits
        }
    }

    /// `catalog show`: the row whose id, name or alias is the name, else the model or GPU the name matches.
    func catalogShow(_ name: String) throws(WebError) -> [String: String] {
        let rows: [(String, [[String: String]])] = try answer { try catalogTables.dropLast().map { ($0, try factory.catalog.rows(table: $0)) } }
        func find(_ n: String) -> [String: String]? {
            for (table, rs) in rows {
                for row in rs {
                    let keys = [row["id"], row["name"]].compactMap { $0?.lowercased() } + CatalogStore.list(row["aliases"]).map { $0.lowercased() }
                    if keys.contains(n.lowercased()) { return ["table": table].merging(row) { a, _ in a } }
                }
            }
            return nil
        }
        if let row = find(name) { return row }
        let candidates = factory.models.map { ($0.id, $0.aliases) } + factory.allCards.map { ($0.id, $0.aliases) }
        switch NameMatcher.resolve(name, candidates: candidates) {
        case .found(let id):
            if let row = find(id) { return row }
            throw .notFound("nothing in the catalog is called '\(name)'", value: name)
        case .ambiguous(let c):
            throw .unprocessable("'\(name)' matches several catalog rows: \(c.joined(separator: ", ")); give one of these ids", candidates: c, value: name)
        case .notFound(let s):
            throw .notFound("nothing in the catalog is called '\(name)'" + (s.isEmpty ? "" : "; did you mean \(s.joined(separator: ", "))?"), candidates: s, value: name)
        }
    }

    /// The server answers from its catalog: a name that is a file here (`fit` would read it as a GGUF) is refused.
    func refuseFiles(_ names: [String]) throws {
        if let n = names.first(where: FitRequestFactory.isPath) {
            throw WebError.unprocessable("'\(n)' names a file on the server; the server answers for catalog names only", value: n)
        }
    }

    /// Runs a command's code and turns what it throws into the HTTP error a person can act on.
    func answer<T>(_ body: () throws -> T) throws(WebError) -> T {
        do {
            return try body()
        } catch let e as WebError {
            throw e
        } catch let e as CatalogError {
            switch e {
            case let .unknownModel(name, s), let .unknownGPU(name, s):
                throw WebError.notFound(e.localizedDescription.replacingOccurrences(of: "`specfit catalog list --models`", with: "the catalog page")
                    .replacingOccurrences(of: "`specfit catalog list --gpus`", with: "the catalog page"), candidates: s, value: name)
            case let .ambiguous(name, c):
                throw WebError.unprocessable(e.localizedDescription, candidates: c, value: name)
            default:
                throw WebError(status: 500, message: e.localizedDescription)
            }
        } catch let e as CLIError {
            throw e.code == 3 ? WebError(status: 500, message: e.message) : WebError.unprocessable(e.message)
        } catch {
            // The command's own parser refused the arguments the inputs became.
            let text = SpecFit.message(for: error)
            throw WebError.badRequest(text.isEmpty ? "\(error)" : text)
        }
    }
}
