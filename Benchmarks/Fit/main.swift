// bench-fit: verdicts per second and the whole-catalog `recommend` sweep time (issue #6).
// Run through scripts/bench-fit, which builds it in release mode. Prints ratios against the 0.5 s budget.
import Catalog
import Foundation
import SpecFitCore

func seconds(_ body: () -> Void) -> Double {
    let t0 = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
}

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("specfit-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: dir) }
let store = try CatalogStore(path: dir.appendingPathComponent("catalog.sqlite").path)
let models = try store.models()
let cards = try store.gpus()
let fixture = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "data/fixtures/machines/host-64gib.json")
let machine = try JSONDecoder().decode(Machine.self, from: Data(contentsOf: fixture))
let card = cards.first { $0.id == "rtx-4090" } ?? cards[0]
let t = models.first { $0.id == "llama-3.1-70b" } ?? models[0]
let d = models.first { $0.id == "llama-3.2-1b" }
let base = FitRequest(target: t, targetFtype: .q4_K_M, targetTokenizer: try store.tokenizer(for: t), draft: d,
                      draftTokenizer: try d.map { try store.tokenizer(for: $0) }, config: RunConfig(nCtx: 8192),
                      gpus: [MachineResources.device(card)], host: MachineResources.host(machine),
                      acceptance: try store.acceptance(), machineLabel: "bench")

// 1. Single verdicts (with the advice search, as `fit` runs them), for about a second.
var n = 0
let single = seconds { while n < 5 { _ = FitEngine.evaluate(base); n += 1 } }
var verdicts = 0
let oneSecond = seconds {
    let end = DispatchTime.now().uptimeNanoseconds + 1_000_000_000
    while DispatchTime.now().uptimeNanoseconds < end { _ = FitEngine.evaluate(base, withAdvice: false); verdicts += 1 }
}
print(String(format: "fit verdict (70B + 1B on rtx-4090, no advice): %.0f verdicts/s", Double(verdicts) / oneSecond))
print(String(format: "fit verdict with the advice search: %.1f ms each", single / Double(n) * 1000))

// 2. The whole-catalog sweep, as `recommend` runs it: median of 5.
var times: [Double] = []
var evaluated = 0
for _ in 0..<5 {
    times.append(seconds { evaluated = Recommender.recommend(base: base, models: models, limit: 10).evaluated })
}
times.sort()
let median = times[2]
print(String(format: "recommend sweep: %d models × %d quants → %d combinations in %.3f s (median of 5) = %.2f × the 0.5 s budget",
             models.count, Recommender.quants.count, evaluated, median, median / 0.5))
