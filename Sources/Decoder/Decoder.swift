// The micro-decoder (DESIGN §7): kernels, tokenizers, architectures, sampler.
