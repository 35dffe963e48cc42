// Kernel bodies, compiled twice by kernels.c: once for AVX2 (SF_SUFFIX _avx2) and once for AVX-512 VNNI
// (SF_SUFFIX _vnni). The two differ only in how 8-bit products are summed (SF_DOT_U8S8, SF_MADD_SCALED).
// Every integer sum is exact, and the float steps are those of the Swift kernels, in the same order.

#define SF_CAT2(a, b) a##b
#define SF_CAT(a, b) SF_CAT2(a, b)
#define SF_FN(name) SF_CAT(name, SF_SUFFIX)

/// Σ of the eight int32 lanes.
SF_TARGET static inline int32_t SF_FN(hsum_i32)(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

/// The four lane sums of p0 … p3, in that order.
SF_TARGET static inline __m128i SF_FN(hsum4_i32)(__m256i p0, __m256i p1, __m256i p2, __m256i p3) {
    __m256i a = _mm256_hadd_epi32(p0, p1);
    __m256i b = _mm256_hadd_epi32(p2, p3);
    __m256i c = _mm256_hadd_epi32(a, b);
    return _mm_add_epi32(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1));
}

SF_TARGET static inline float SF_FN(half)(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

/// 32 bytes whose byte i is 0x10 when bit i of `bits` is set.
SF_TARGET static inline __m256i SF_FN(bits_to_0x10)(uint32_t bits) {
    const __m256i shuf = _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL,
                                           0x0101010101010101LL, 0x0000000000000000LL);
    const __m256i bitsel = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), shuf);
    v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bitsel), bitsel);
    return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

/// 32 weight codes (unsigned bytes) of a 32-element block with 16 packed nibbles and optional high bits:
/// element j < 16 is the low nibble of qs[j], element j ≥ 16 the high nibble of qs[j − 16], plus 0x10 for
/// bit j of qh.
SF_TARGET static inline __m256i SF_FN(nibbles32)(const uint8_t *qs) {
    __m128i q = _mm_loadu_si128((const __m128i *)qs);
    __m128i m4 = _mm_set1_epi8(0x0F);
    __m128i lo = _mm_and_si128(q, m4), hi = _mm_and_si128(_mm_srli_epi16(q, 4), m4);
    return _mm256_set_m128i(hi, lo);
}

// MARK: legacy 32-element blocks

/// Integer block sums of one row against one activation row, for `nb` blocks, into `isum[b]`.
/// kind: 0 Q4_0 (nibble − 8), 1 Q4_1 (nibble), 2 Q5_0 (five bits − 16), 3 Q5_1 (five bits), 4 Q8_0 (int8).
SF_TARGET static inline __m256i SF_FN(block_dot)(int kind, const uint8_t *xb, const int8_t *yq) {
    const __m256i yv = _mm256_loadu_si256((const __m256i *)yq);
    switch (kind) {
    case 0: {
        __m256i u = SF_FN(nibbles32)(xb + 2);
        return _mm256_sub_epi32(SF_DOT_U8S8(u, yv), _mm256_slli_epi32(SF_DOT_U8S8(_mm256_set1_epi8(1), yv), 3));
    }
    case 1:
        return SF_DOT_U8S8(SF_FN(nibbles32)(xb + 4), yv);
    case 2: {
        uint32_t qh;
        memcpy(&qh, xb + 2, 4);
        __m256i u = _mm256_or_si256(SF_FN(nibbles32)(xb + 6), SF_FN(bits_to_0x10)(qh));
        return _mm256_sub_epi32(SF_DOT_U8S8(u, yv), _mm256_slli_epi32(SF_DOT_U8S8(_mm256_set1_epi8(1), yv), 4));
    }
    case 3: {
        uint32_t qh;
        memcpy(&qh, xb + 4, 4);
        return SF_DOT_U8S8(_mm256_or_si256(SF_FN(nibbles32)(xb + 8), SF_FN(bits_to_0x10)(qh)), yv);
    }
    default: {
        __m256i xv = _mm256_loadu_si256((const __m256i *)(xb + 2));
        return SF_DOT_U8S8(_mm256_sign_epi8(xv, xv), _mm256_sign_epi8(yv, xv));
    }
    }
}

/// Four binary16 values at `p`, `p + stride`, `p + 2·stride`, `p + 3·stride` as floats.
SF_TARGET static inline __m128 SF_FN(half4)(const uint8_t *p, long stride) {
    uint16_t h0, h1, h2, h3;
    memcpy(&h0, p, 2);
    memcpy(&h1, p + stride, 2);
    memcpy(&h2, p + 2 * stride, 2);
    memcpy(&h3, p + 3 * stride, 2);
    return _mm_cvtph_ps(_mm_set_epi16(0, 0, 0, 0, (short)h3, (short)h2, (short)h1, (short)h0));
}

/// One legacy row · one activation row; float steps as DotLegacy.swift: acc += isum·(dx·dy) per block, and for
/// types with a min accMin += m·s, result acc + accMin. The products of four blocks are formed in one vector
/// (each lane one IEEE multiply, as the scalar code), then added to `acc` one by one in block order.
SF_TARGET static inline float SF_FN(legacy_row)(int kind, long count, const uint8_t *x, const uint8_t *y,
                                                  int xbytes, int ybytes, int qoff) {
    const long nb = count / 32;
    const int has_min = (kind == 1 || kind == 3);
    float acc = 0, acc_min = 0;
    float t[4], tm[4];
    long b = 0;
    for (; b + 4 <= nb; b += 4) {
        const uint8_t *xb = x + b * xbytes, *yb = y + b * ybytes;
        __m256i p0 = SF_FN(block_dot)(kind, xb, (const int8_t *)(yb + qoff));
        __m256i p1 = SF_FN(block_dot)(kind, xb + xbytes, (const int8_t *)(yb + ybytes + qoff));
        __m256i p2 = SF_FN(block_dot)(kind, xb + 2 * xbytes, (const int8_t *)(yb + 2 * ybytes + qoff));
        __m256i p3 = SF_FN(block_dot)(kind, xb + 3 * xbytes, (const int8_t *)(yb + 3 * ybytes + qoff));
        __m128 fsum = _mm_cvtepi32_ps(SF_FN(hsum4_i32)(p0, p1, p2, p3));
        __m128 dd = _mm_mul_ps(SF_FN(half4)(xb, xbytes), SF_FN(half4)(yb, ybytes));
        _mm_storeu_ps(t, _mm_mul_ps(fsum, dd));
        acc += t[0];
        acc += t[1];
        acc += t[2];
        acc += t[3];
        if (has_min) {
            _mm_storeu_ps(tm, _mm_mul_ps(SF_FN(half4)(xb + 2, xbytes), SF_FN(half4)(yb + 2, ybytes)));
            acc_min += tm[0];
            acc_min += tm[1];
            acc_min += tm[2];
            acc_min += tm[3];
        }
    }
    for (; b < nb; b++) {
        const uint8_t *xb = x + b * xbytes, *yb = y + b * ybytes;
        int32_t s = SF_FN(hsum_i32)(SF_FN(block_dot)(kind, xb, (const int8_t *)(yb + qoff)));
        float dx = SF_FN(half)(xb), dy = SF_FN(half)(yb);
        acc += (float)s * (dx * dy);
        if (has_min) acc_min += SF_FN(half)(xb + 2) * SF_FN(half)(yb + 2);
    }
    return has_min ? acc + acc_min : acc;
}

// MARK: K-quants (super-blocks of 256, Q8_K activations: float d at 0, 256 codes at 4, 16 int16 bsums at 260)

/// The eight six-bit scales (int16 lanes 0…7) and mins (lanes 8…15) of a Q4_K/Q5_K block, unpacked with
/// ggml's kmask words as unpackScalesMinsK4 in DotKQuants.swift.
SF_TARGET static inline __m256i SF_FN(scales_mins_k4)(const uint8_t *p) {
    uint32_t u0, u1, u2;
    memcpy(&u0, p, 4);
    memcpy(&u1, p + 4, 4);
    memcpy(&u2, p + 8, 4);
    uint32_t s0 = u0 & 0x3F3F3F3Fu, s1 = (u2 & 0x0F0F0F0Fu) | (((u0 >> 6) & 0x03030303u) << 4);
    uint32_t m0 = u1 & 0x3F3F3F3Fu, m1 = ((u2 >> 4) & 0x0F0F0F0Fu) | (((u1 >> 6) & 0x03030303u) << 4);
    return _mm256_cvtepu8_epi16(_mm_set_epi32((int)m1, (int)m0, (int)s1, (int)s0));
}

/// A shuffle that copies int16 lane g (of each 128-bit half) to all eight lanes.
#define SF_LANE16(g) _mm256_set1_epi16((short)(((2 * (g) + 1) << 8) | (2 * (g))))

/// Q4_K (q5 = 0) or Q5_K (q5 = 1) row · one Q8_K row: isum = Σ_g sc_g·Σ q·y over eight groups of 32, summ =
/// Σ_g m_g·(bsum_2g + bsum_2g+1) — the integers of DotKQuants.swift.
SF_TARGET static inline float SF_FN(q45_K_row)(int q5, long count, const uint8_t *x, const uint8_t *y) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    float acc = 0;
    const int xbytes = q5 ? 176 : 144;
    for (long b = 0; b < count / 256; b++) {
        const uint8_t *blk = x + b * xbytes, *yb = y + b * 292;
        const __m256i sm = SF_FN(scales_mins_k4)(blk + 4);
        const __m256i scales = _mm256_broadcastsi128_si256(_mm256_castsi256_si128(sm));
        // Σ_g m_g·(bsum_2g + bsum_2g+1): pair sums of the bsums (|·| ≤ 4064, exact in int16), then madd.
        const __m256i bs = _mm256_loadu_si256((const __m256i *)(yb + 260));
        const __m128i pair = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
        __m128i mprod = _mm_madd_epi16(_mm256_extracti128_si256(sm, 1), pair);
        mprod = _mm_add_epi32(mprod, _mm_shuffle_epi32(mprod, 0x4E));
        mprod = _mm_add_epi32(mprod, _mm_shuffle_epi32(mprod, 0xB1));
        const int32_t summ = _mm_cvtsi128_si32(mprod);
        const uint8_t *q = blk + (q5 ? 48 : 16);
        const int8_t *yq = (const int8_t *)(yb + 4);
        __m256i qh = q5 ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
        __m256i acc_i = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            __m256i qv = _mm256_loadu_si256((const __m256i *)(q + 32 * c));
            __m256i lo = _mm256_and_si256(qv, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(qv, 4), m4);
            if (q5) {
                // bit 2c of qh[l] is the fifth bit of the low nibble, bit 2c+1 that of the high nibble
                const __m256i one = _mm256_set1_epi8(1);
                __m256i h0 = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), one);
                __m256i h1 = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), one);
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(h0, 4));
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(h1, 4));
            }
            __m256i y0 = _mm256_loadu_si256((const __m256i *)(yq + 64 * c));
            __m256i y1 = _mm256_loadu_si256((const __m256i *)(yq + 64 * c + 32));
            __m256i s0 = _mm256_shuffle_epi8(scales, SF_LANE16(2 * c));
            __m256i s1 = _mm256_shuffle_epi8(scales, SF_LANE16(2 * c + 1));
            acc_i = SF_MADD_SCALED(acc_i, _mm256_maddubs_epi16(lo, y0), s0);
            acc_i = SF_MADD_SCALED(acc_i, _mm256_maddubs_epi16(hi, y1), s1);
        }
        int32_t isum = SF_FN(hsum_i32)(acc_i);
        float dy;
        memcpy(&dy, yb, 4);
        float d = SF_FN(half)(blk), dmin = SF_FN(half)(blk + 2);
        acc += (d * dy) * (float)isum - (dmin * dy) * (float)summ;
    }
    return acc;
}

/// Q6_K row · one Q8_K row: codes u = six bits (0…63), isum = Σ_g sc_g·(Σ u·y − 32·bsum_g) — exactly
/// Σ sc_g·(u − 32)·y.
SF_TARGET static inline float SF_FN(q6_K_row)(long count, const uint8_t *x, const uint8_t *y) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    float acc = 0;
    for (long b = 0; b < count / 256; b++) {
        const uint8_t *blk = x + b * 210, *yb = y + b * 292;
        const int8_t *sc = (const int8_t *)(blk + 192);
        const int8_t *yq = (const int8_t *)(yb + 4);
        const int16_t *bs = (const int16_t *)(yb + 260);
        __m256i acc_i = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = blk + 64 * half, *qhp = blk + 128 + 32 * half;
            // this half's eight scales as int16, in both 128-bit halves
            const __m256i s16 = _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(_mm_loadl_epi64((const __m128i *)(sc + 8 * half))));
            const int8_t *yh = yq + 128 * half;
            __m256i ql0 = _mm256_loadu_si256((const __m256i *)ql);
            __m256i ql1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i qh = _mm256_loadu_si256((const __m256i *)qhp);
            __m256i u[4];
            u[0] = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4));
            u[1] = _mm256_or_si256(_mm256_and_si256(ql1, m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m3), 4));
            u[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m3), 4));
            u[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m3), 4));
            for (int k = 0; k < 4; k++) {
                // elements 32k … 32k+15 have scale s[2k], 32k+16 … 32k+31 scale s[2k+1]
                __m256i scale = _mm256_shuffle_epi8(s16, _mm256_set_m128i(_mm_set1_epi16((short)(((4 * k + 3) << 8) | (4 * k + 2))),
                                                                         _mm_set1_epi16((short)(((4 * k + 1) << 8) | (4 * k)))));
                __m256i yv = _mm256_loadu_si256((const __m256i *)(yh + 32 * k));
                acc_i = SF_MADD_SCALED(acc_i, _mm256_maddubs_epi16(u[k], yv), scale);
            }
        }
        // − 32·Σ_g sc_g·bsum_g, folded into the lanes before the one horizontal sum
        const __m256i bias = _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)sc)),
                                               _mm256_loadu_si256((const __m256i *)bs));
        int32_t isum = SF_FN(hsum_i32)(_mm256_sub_epi32(acc_i, _mm256_slli_epi32(bias, 5)));
        float dy;
        memcpy(&dy, yb, 4);
        float d = SF_FN(half)(blk + 208);
        acc += (d * dy) * (float)isum - (0.0f * dy) * (float)0;
    }
    return acc;
}

#undef SF_FN
#undef SF_CAT
#undef SF_CAT2
