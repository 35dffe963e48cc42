import Foundation
import Testing
@testable import Probe
import SpecFitCore

/// Apple Silicon is not probed on Linux; it enters verdicts as a catalog rule: the GPU may use Metal's
/// working-set limit (`recommendedMaxWorkingSetSize`, the row's `gpu_working_set_mib`), not all unified memory.
@Suite struct AppleWhatIfTests {
    /// A what-if run the way `specfit fit --gpu apple-…` builds it: the SoC's memory is the host RAM.
    func fit(_ card: GPUSpec, _ model: ModelSpec) -> FitResult {
        let machine = Fixtures.probe("no-gpu-cgroup2")
        let host = MachineResources.host(machine, ramOverrideBytes: card.vramBytes, ramOverrideBasis: "\(card.vramMiB) MiB unified memory of \(card.id)")
        let request = FitRequest(target: model, targetFtype: .q4_K_M, targetTokenizer: Models.llama3Tokenizer, config: RunConfig(nCtx: 4096),
                                 gpus: [MachineResources.device(card)], host: host, machineLabel: "what-if \(card.id)")
        return FitEngine.evaluate(request, withAdvice: false)
    }

    @Test func workingSetLimitIsTheGPUsMemory() {
        let device = MachineResources.device(Cards.appleM4Max128)
        // catalog row apple-m4-max-128gb: 131072 MiB unified, gpu_working_set_mib 98304 (75 %).
        #expect(device.usableBytes == 98_304 * mebibyte)
        #expect(device.unifiedMemory)
        #expect(device.backend == .metal)
        #expect(device.usableBasis.contains("working-set limit 98304 MiB of 131072 MiB"))
    }

    @Test func seventyBillionFitsAn128GBM4Max() {
        #expect(fit(Cards.appleM4Max128, Models.llama31_70B).kind == .allOnGPU)
    }

    /// M4 Pro 24 GB: 16 GiB working set; Qwen2.5 32B Q4_K_M (≈ 18.5 GiB) does not fit the GPU's share.
    @Test func thirtyTwoBillionDoesNotFitAn24GBM4Pro() {
        #expect(MachineResources.device(Cards.appleM4Pro24).usableBytes == 16_384 * mebibyte)
        #expect(fit(Cards.appleM4Pro24, Models.qwen25_32B).kind != .allOnGPU)
    }
}
