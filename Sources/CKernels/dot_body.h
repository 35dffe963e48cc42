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

#ifdef SF_HAS_512
// MARK: AVX-512 batch kernels: weights decoded once per group of 256, then every activation row of a tile
//
// The codes of 256 weights go into four zmm registers of 64 bytes; each activation row then costs four
// vpdpbusd (plus sign or scale handling) and one reduction. Integer sums and float steps are those of the
// Swift kernels, so the bits are too.

#define SF_TILE 64

/// The eight per-block sums of four zmm that each hold two 32-element blocks (lanes 0–7, 8–15): [b0 … b7].
SF_TARGET static inline __m256i SF_FN(block_sums8)(__m512i v0, __m512i v1, __m512i v2, __m512i v3) {
    __m512i t01 = _mm512_add_epi32(_mm512_unpacklo_epi32(v0, v1), _mm512_unpackhi_epi32(v0, v1));
    __m512i t23 = _mm512_add_epi32(_mm512_unpacklo_epi32(v2, v3), _mm512_unpackhi_epi32(v2, v3));
    __m512i u = _mm512_add_epi32(_mm512_unpacklo_epi64(t01, t23), _mm512_unpackhi_epi64(t01, t23));
    // 128-bit lane L now holds the lane-L partials of [v0, v1, v2, v3]; lanes 0+1 are first blocks, 2+3 second
    u = _mm512_add_epi32(u, _mm512_shuffle_i64x2(u, u, _MM_SHUFFLE(2, 3, 0, 1)));
    __m128i a = _mm512_castsi512_si128(u);        // blocks 0, 2, 4, 6
    __m128i b = _mm512_extracti32x4_epi32(u, 2);  // blocks 1, 3, 5, 7
    return _mm256_set_m128i(_mm_unpackhi_epi32(a, b), _mm_unpacklo_epi32(a, b));
}

/// Eight binary16 values at `p + k·stride` as floats.
SF_TARGET static inline __m256 SF_FN(half8)(const uint8_t *p, long stride) {
    // built from registers: a vector load of eight just-stored halves would stall on store forwarding
    uint16_t h[8];
    for (int k = 0; k < 8; k++) memcpy(&h[k], p + k * stride, 2);
    return _mm256_cvtph_ps(_mm_set_epi16((short)h[7], (short)h[6], (short)h[5], (short)h[4], (short)h[3], (short)h[2],
                                         (short)h[1], (short)h[0]));
}

/// The 32 codes of one legacy block as bytes: signed (code itself) for Q4_0/Q5_0/Q8_0, unsigned for Q4_1/Q5_1.
SF_TARGET static inline __m256i SF_FN(codes32)(int kind, const uint8_t *xb) {
    switch (kind) {
    case 0: return _mm256_sub_epi8(SF_FN(nibbles32)(xb + 2), _mm256_set1_epi8(8));
    case 1: return SF_FN(nibbles32)(xb + 4);
    case 2: {
        uint32_t qh;
        memcpy(&qh, xb + 2, 4);
        return _mm256_sub_epi8(_mm256_or_si256(SF_FN(nibbles32)(xb + 6), SF_FN(bits_to_0x10)(qh)), _mm256_set1_epi8(16));
    }
    case 3: {
        uint32_t qh;
        memcpy(&qh, xb + 4, 4);
        return _mm256_or_si256(SF_FN(nibbles32)(xb + 8), SF_FN(bits_to_0x10)(qh));
    }
    default: return _mm256_loadu_si256((const __m256i *)(xb + 2));
    }
}

/// Legacy row · n activation rows, eight blocks at a time; the float steps per block in block order as
/// DotLegacy.swift's, the last nb mod 8 blocks through legacy_row's single-block path.
SF_TARGET static void SF_FN(legacy_rows)(int kind, long count, const uint8_t *x, const uint8_t *y, long y_stride,
                                          long n, float *out, long out_stride, int xbytes, int ybytes, int qoff) {
    const long nb = count / 32;
    const int has_min = (kind == 1 || kind == 3);
    const int is_signed = !has_min;
    float acc[SF_TILE], acc_min[SF_TILE], t[8], tm[8];
    for (long j0 = 0; j0 < n; j0 += SF_TILE) {
        const long nj = n - j0 < SF_TILE ? n - j0 : SF_TILE;
        for (long j = 0; j < nj; j++) acc[j] = acc_min[j] = 0;
        long b = 0;
        for (; b + 8 <= nb; b += 8) {
            const uint8_t *xb = x + b * xbytes;
            __m512i u[4];
            __mmask64 neg[4] = {0, 0, 0, 0};
            for (int k = 0; k < 4; k++) {
                __m512i c = _mm512_inserti64x4(_mm512_castsi256_si512(SF_FN(codes32)(kind, xb + 2 * k * xbytes)),
                                               SF_FN(codes32)(kind, xb + (2 * k + 1) * xbytes), 1);
                if (is_signed) {
                    neg[k] = _mm512_movepi8_mask(c);
                    c = _mm512_abs_epi8(c);
                }
                u[k] = c;
            }
            const __m256 dx = SF_FN(half8)(xb, xbytes);
            const __m256 mx = has_min ? SF_FN(half8)(xb + 2, xbytes) : _mm256_setzero_ps();
            for (long j = 0; j < nj; j++) {
                const uint8_t *yb = y + (j0 + j) * y_stride + b * ybytes;
                __m512i v[4];
                for (int k = 0; k < 4; k++) {
                    __m512i yv = _mm512_inserti64x4(
                        _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(yb + 2 * k * ybytes + qoff))),
                        _mm256_loadu_si256((const __m256i *)(yb + (2 * k + 1) * ybytes + qoff)), 1);
                    if (is_signed) yv = _mm512_mask_sub_epi8(yv, neg[k], _mm512_setzero_si512(), yv);
                    v[k] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[k], yv);
                }
                __m256 f = _mm256_cvtepi32_ps(SF_FN(block_sums8)(v[0], v[1], v[2], v[3]));
                _mm256_storeu_ps(t, _mm256_mul_ps(f, _mm256_mul_ps(dx, SF_FN(half8)(yb, ybytes))));
                float a = acc[j];
                for (int k = 0; k < 8; k++) a += t[k];
                acc[j] = a;
                if (has_min) {
                    _mm256_storeu_ps(tm, _mm256_mul_ps(mx, SF_FN(half8)(yb + 2, ybytes)));
                    float am = acc_min[j];
                    for (int k = 0; k < 8; k++) am += tm[k];
                    acc_min[j] = am;
                }
            }
        }
        for (; b < nb; b++) {
            const uint8_t *xb = x + b * xbytes;
            const float dx = SF_FN(half)(xb), mxs = has_min ? SF_FN(half)(xb + 2) : 0;
            for (long j = 0; j < nj; j++) {
                const uint8_t *yb = y + (j0 + j) * y_stride + b * ybytes;
                int32_t s = SF_FN(hsum_i32)(SF_FN(block_dot)(kind, xb, (const int8_t *)(yb + qoff)));
                acc[j] += (float)s * (dx * SF_FN(half)(yb));
                if (has_min) acc_min[j] += mxs * SF_FN(half)(yb + 2);
            }
        }
        for (long j = 0; j < nj; j++) out[(j0 + j) * out_stride] = has_min ? acc[j] + acc_min[j] : acc[j];
    }
}

/// Q4_K (q5 = 0) or Q5_K (q5 = 1) row · n Q8_K rows: per super-block the codes (four zmm of 64) and the
/// per-lane scales are prepared once; each activation row then costs four vpdpbusd + vpmulld.
SF_TARGET static void SF_FN(q45_K_rows)(int q5, long count, const uint8_t *x, const uint8_t *y, long y_stride,
                                         long n, float *out, long out_stride) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    const int xbytes = q5 ? 176 : 144;
    float acc[SF_TILE];
    for (long j0 = 0; j0 < n; j0 += SF_TILE) {
        const long nj = n - j0 < SF_TILE ? n - j0 : SF_TILE;
        for (long j = 0; j < nj; j++) acc[j] = 0;
        for (long b = 0; b < count / 256; b++) {
            const uint8_t *blk = x + b * xbytes;
            const __m256i sm = SF_FN(scales_mins_k4)(blk + 4);
            const __m512i sc32 = _mm512_castsi256_si512(_mm256_cvtepu16_epi32(_mm256_castsi256_si128(sm)));
            const __m128i mins = _mm256_extracti128_si256(sm, 1);
            const uint8_t *q = blk + (q5 ? 48 : 16);
            const __m256i qh = q5 ? _mm256_loadu_si256((const __m256i *)(blk + 16)) : _mm256_setzero_si256();
            __m512i u[4], s[4];
            for (int c = 0; c < 4; c++) {
                __m256i qv = _mm256_loadu_si256((const __m256i *)(q + 32 * c));
                __m256i lo = _mm256_and_si256(qv, m4);
                __m256i hi = _mm256_and_si256(_mm256_srli_epi16(qv, 4), m4);
                if (q5) {
                    const __m256i one = _mm256_set1_epi8(1);
                    lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), one), 4));
                    hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), one), 4));
                }
                u[c] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
                // lanes 0–7: group 2c, lanes 8–15: group 2c+1
                s[c] = _mm512_permutexvar_epi32(_mm512_set_epi32(2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c + 1,
                                                                 2 * c + 1, 2 * c + 1, 2 * c + 1, 2 * c, 2 * c, 2 * c,
                                                                 2 * c, 2 * c, 2 * c, 2 * c, 2 * c), sc32);
            }
            const float d = SF_FN(half)(blk), dmin = SF_FN(half)(blk + 2);
            for (long j = 0; j < nj; j++) {
                const uint8_t *yb = y + (j0 + j) * y_stride + b * 292;
                const int8_t *yq = (const int8_t *)(yb + 4);
                __m512i acc_i = _mm512_setzero_si512();
                for (int c = 0; c < 4; c++) {
                    __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[c], _mm512_loadu_si512((const void *)(yq + 64 * c)));
                    acc_i = _mm512_add_epi32(acc_i, _mm512_mullo_epi32(p, s[c]));
                }
                const int32_t isum = _mm512_reduce_add_epi32(acc_i);
                const __m256i bs = _mm256_loadu_si256((const __m256i *)(yb + 260));
                const __m128i pair = _mm_hadd_epi16(_mm256_castsi256_si128(bs), _mm256_extracti128_si256(bs, 1));
                __m128i mprod = _mm_madd_epi16(mins, pair);
                mprod = _mm_add_epi32(mprod, _mm_shuffle_epi32(mprod, 0x4E));
                mprod = _mm_add_epi32(mprod, _mm_shuffle_epi32(mprod, 0xB1));
                const int32_t summ = _mm_cvtsi128_si32(mprod);
                float dy;
                memcpy(&dy, yb, 4);
                acc[j] += (d * dy) * (float)isum - (dmin * dy) * (float)summ;
            }
        }
        for (long j = 0; j < nj; j++) out[(j0 + j) * out_stride] = acc[j];
    }
}

/// Q6_K row · n Q8_K rows: unsigned six-bit codes in four zmm, per-lane scales (four lanes per 16-element
/// group), and −32·Σ sc_g·bsum_g per activation row.
SF_TARGET static void SF_FN(q6_K_rows)(long count, const uint8_t *x, const uint8_t *y, long y_stride, long n,
                                        float *out, long out_stride) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    float acc[SF_TILE];
    for (long j0 = 0; j0 < n; j0 += SF_TILE) {
        const long nj = n - j0 < SF_TILE ? n - j0 : SF_TILE;
        for (long j = 0; j < nj; j++) acc[j] = 0;
        for (long b = 0; b < count / 256; b++) {
            const uint8_t *blk = x + b * 210;
            const __m128i sc8 = _mm_loadu_si128((const __m128i *)(blk + 192));
            const __m512i sc32 = _mm512_cvtepi8_epi32(sc8);
            const __m256i sc16 = _mm256_cvtepi8_epi16(sc8);
            __m512i u[4], s[4];
            for (int half = 0; half < 2; half++) {
                const uint8_t *ql = blk + 64 * half, *qhp = blk + 128 + 32 * half;
                __m256i ql0 = _mm256_loadu_si256((const __m256i *)ql);
                __m256i ql1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
                __m256i qh = _mm256_loadu_si256((const __m256i *)qhp);
                __m256i c0 = _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m3), 4));
                __m256i c1 = _mm256_or_si256(_mm256_and_si256(ql1, m4),
                                             _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), m3), 4));
                __m256i c2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4),
                                             _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), m3), 4));
                __m256i c3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                                             _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), m3), 4));
                u[2 * half] = _mm512_inserti64x4(_mm512_castsi256_si512(c0), c1, 1);
                u[2 * half + 1] = _mm512_inserti64x4(_mm512_castsi256_si512(c2), c3, 1);
            }
            for (int m = 0; m < 4; m++) {
                // lane l covers elements 64m + 4l … +3: group 4m + l/4
                const int g = 4 * m;
                s[m] = _mm512_permutexvar_epi32(_mm512_set_epi32(g + 3, g + 3, g + 3, g + 3, g + 2, g + 2, g + 2, g + 2,
                                                                 g + 1, g + 1, g + 1, g + 1, g, g, g, g), sc32);
            }
            const float d = SF_FN(half)(blk + 208);
            for (long j = 0; j < nj; j++) {
                const uint8_t *yb = y + (j0 + j) * y_stride + b * 292;
                const int8_t *yq = (const int8_t *)(yb + 4);
                __m512i acc_i = _mm512_setzero_si512();
                for (int m = 0; m < 4; m++) {
                    __m512i p = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u[m], _mm512_loadu_si512((const void *)(yq + 64 * m)));
                    acc_i = _mm512_add_epi32(acc_i, _mm512_mullo_epi32(p, s[m]));
                }
                const __m256i bias = _mm256_madd_epi16(sc16, _mm256_loadu_si256((const __m256i *)(yb + 260)));
                const int32_t isum = _mm512_reduce_add_epi32(acc_i) - 32 * SF_FN(hsum_i32)(bias);
                float dy;
                memcpy(&dy, yb, 4);
                acc[j] += (d * dy) * (float)isum - (0.0f * dy) * (float)0;
            }
        }
        for (long j = 0; j < nj; j++) out[(j0 + j) * out_stride] = acc[j];
    }
}
#endif

#undef SF_FN
#undef SF_CAT
#undef SF_CAT2
