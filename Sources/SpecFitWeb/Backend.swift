import Foundation
import SpecFitCore

/// What the pages and the API ask of SpecFit.
///
/// The `specfit` executable implements it with its commands' own code (`serve` parses each request's
/// ``CommandLineArguments`` with the command's argument parser and runs the same resolution and engine),
/// so a page, its `/api/` twin and the command line give the same numbers for the same inputs. The machine
/// is probed once, when the server starts.
///
/// Every method throws ``WebError`` for inputs it cannot answer (an unknown model is a 404 with the ids it
/// may have meant), never anything else.
public protocol SpecFitBackend: Sendable {
    /// The machine the answers are for: probed at start, or read from `--machine FILE`.
    var machine: Machine { get }
    /// One line naming that machine, as the verdicts do ("this machine (live probe): AMD EPYC, 22.82 GiB RAM usable, no GPU").
    var machineLabel: String { get }
    /// Flags a command line needs to reproduce an answer here (`--machine FILE` when the server was given one).
    var globalArguments: [String] { get }
    /// specfit's version.
    var version: String { get }
    /// Catalog ids offered as suggestions in the forms.
    var modelIDs: [String] { get }
    var gpuIDs: [String] { get }
    /// The catalog's table names, in the order `specfit catalog list` knows them.
    var catalogTables: [String] { get }

    func fit(_ inputs: FitInputs) throws(WebError) -> FitResult
    func compare(_ inputs: CompareInputs) throws(WebError) -> Comparison
    func chooseGPU(_ inputs: ChooseGPUInputs) throws(WebError) -> GPUChoiceList
    func cost(_ inputs: CostInputs) throws(WebError) -> CostEstimate
    func recommend(_ inputs: RecommendInputs) throws(WebError) -> RecommendationList
    /// Rows of one table (`specfit catalog list TABLE --json`).
    func catalogRows(table: String) throws(WebError) -> [[String: String]]
    /// `specfit catalog search TEXT --json`: hits with `table`, `id`, `name`.
    func catalogSearch(_ text: String) throws(WebError) -> [[String: String]]
    /// `specfit catalog show NAME --json`: the row with its `table`.
    func catalogShow(_ name: String) throws(WebError) -> [String: String]
}

/// `specfit choose-gpu --json`: the cards that hold the pair whole, cheapest first.
public struct GPUChoiceList: Codable, Sendable, Equatable {
    public var target: String
    public var draft: String?
    public var nCtx: Int
    public var choices: [GPUChoice]

    public init(target: String, draft: String?, nCtx: Int, choices: [GPUChoice]) {
        self.target = target; self.draft = draft; self.nCtx = nCtx; self.choices = choices
    }
}

/// `specfit recommend --json`: ranked combinations, and the closest misses when nothing qualifies.
public struct RecommendationList: Codable, Sendable, Equatable {
    public var machine: String
    public var evaluated: Int
    public var ranked: [Recommendation]
    public var closest: [Recommendation]

    public init(machine: String, evaluated: Int, ranked: [Recommendation], closest: [Recommendation]) {
        self.machine = machine; self.evaluated = evaluated; self.ranked = ranked; self.closest = closest
    }
}
