package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.FusedAttention;

import java.util.ArrayList;
import java.util.List;

/**
 * Scaled dot-product attention, softmax(q·kᵀ·scale + mask)·v: torch's fused kernel where the JNI library has it
 * ({@link FusedAttention}), else computed explicitly (DJL exposes no fused SDPA).
 *
 * <p>The score matrix costs batch·heads·Nq·Nk floats: 1 GiB for SD 1.x at 512² with CFG, 16× that at 1024².
 * With {@link #maxQueryRows()} &gt; 0 the queries are processed in chunks of at most that many rows, each chunk
 * in its own sub-manager, and the results concatenated; the numbers are the same, only the peak memory drops.
 * An instance is immutable: a run that wants other chunking passes its own instance down with the run's settings.
 * A chunk's scores take batch·heads·rows·Nk·4 bytes (twice that while softmax runs): SD 1.x at 1024² with CFG
 * (Nk = 16384, 8 heads) needs 1 GiB per 1024-row chunk, 256 MiB at 256 rows.
 */
public final class Attention {

    /** 1024 query rows: a 256 MiB score chunk for SD 1.x at 512² with CFG, and no slower than unchunked. */
    public static final int DEFAULT_MAX_QUERY_ROWS = 1024;

    private final int maxQueryRows;
    private final long budgetBytes;

    /** @param maxQueryRows most query rows per chunk; 0 or less computes all rows at once */
    public Attention(int maxQueryRows) {
        this(maxQueryRows, 0);
    }

    /**
     * @param maxQueryRows most query rows per chunk when there is no budget; 0 or less computes all rows at once
     * @param budgetBytes  when &gt; 0, chunks sized to this score memory instead (see {@link #budgeted})
     */
    public Attention(int maxQueryRows, long budgetBytes) {
        this.maxQueryRows = maxQueryRows;
        this.budgetBytes = budgetBytes;
    }

    public static Attention chunked() {
        return new Attention(DEFAULT_MAX_QUERY_ROWS);
    }

    public static Attention unchunked() {
        return new Attention(0);
    }

    /**
     * A1111's memory-budgeted attention: chunk sizes follow from {@code bytes}, the most the score matrices of one
     * chunk may take (scores and their softmax, both alive at once), instead of a fixed row count. Attention whose
     * scores fit the budget runs unchunked; larger attention gets the most rows that fit, at least one.
     */
    public static Attention budgeted(long bytes) {
        return new Attention(0, bytes);
    }

    /** Query rows per chunk for this call: from the budget when one is set, else {@link #maxQueryRows()}. */
    long rowsPerChunk(NDArray q, NDArray k) {
        long budget = budgetBytes;
        if (budget <= 0) {
            return maxQueryRows;
        }
        Shape shape = q.getShape();
        // one query row's scores over all keys, for every batch entry and head, twice (scores + softmax)
        long bytesPerRow = 2L * shape.get(0) * shape.get(1) * k.getShape().get(2) * q.getDataType().getNumOfBytes();
        return Math.max(1, budget / bytesPerRow);
    }

    public int maxQueryRows() {
        return maxQueryRows;
    }

    /**
     * Multi-head attention on token sequences: q [B, Nq, H·D], k and v [B, Nk, H·D] → [B, Nq, H·D], scale D^-½.
     *
     * @param mask additive [Nq, Nk] (e.g. CLIP's causal mask) or null
     */
    public NDArray multiHead(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        long batch = q.getShape().get(0);
        long width = q.getShape().get(2);
        long headDim = width / heads;
        try (NDArray qh = splitHeads(q, heads); NDArray kh = splitHeads(k, heads); NDArray vh = splitHeads(v, heads);
             NDArray attended = scaledDotProduct(qh, kh, vh, (float) (1.0 / Math.sqrt(headDim)), mask);
             NDArray merged = attended.transpose(0, 2, 1, 3)) {
            return merged.reshape(batch, -1, width);
        }
    }

    /** [B, N, H·D] → [B, H, N, D] */
    private static NDArray splitHeads(NDArray x, int heads) {
        long batch = x.getShape().get(0);
        long width = x.getShape().get(2);
        try (NDArray split = x.reshape(batch, -1, heads, width / heads)) {
            return split.transpose(0, 2, 1, 3);
        }
    }

    /** q [B, H, Nq, D], k and v [B, H, Nk, D], mask additive [Nq, Nk] or null → [B, H, Nq, D] in q's manager. */
    public NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, float scale, NDArray mask) {
        if (FusedAttention.available()) { // flash/memory-efficient kernels: no score matrix, so no chunking either
            if (mask == null || mask.getDataType() == q.getDataType()) {
                return FusedAttention.apply(q, k, v, mask, scale);
            }
            try (NDArray typedMask = mask.toType(q.getDataType(), false)) {
                return FusedAttention.apply(q, k, v, typedMask, scale);
            }
        }
        long rows = q.getShape().get(2);
        long chunk = rowsPerChunk(q, k);
        try (NDArray kT = k.transpose(0, 1, 3, 2)) {
            if (chunk <= 0 || rows <= chunk) {
                return attend(q, kT, v, scale, mask);
            }
            NDManager target = q.getManager();
            List<NDArray> parts = new ArrayList<>();
            for (long start = 0; start < rows; start += chunk) {
                long end = Math.min(rows, start + chunk);
                try (NDManager sub = target.newSubManager()) {
                    NDArray qChunk = q.get(":,:,{}:{}", start, end);
                    qChunk.attach(sub);
                    NDArray maskChunk = null;
                    if (mask != null) {
                        maskChunk = mask.get("{}:{}", start, end);
                        maskChunk.attach(sub);
                    }
                    NDArray part = attend(qChunk, kT, v, scale, maskChunk);
                    part.attach(target);
                    parts.add(part);
                }
            }
            NDArray out = NDArrays.concat(new NDList(parts), 2);
            parts.forEach(NDArray::close);
            return out;
        }
    }

    private static NDArray attend(NDArray q, NDArray kT, NDArray v, float scale, NDArray mask) {
        try (NDArray scores = q.matMul(kT)) {
            scores.muli(scale);
            if (mask != null) {
                scores.addi(mask);
            }
            try (NDArray weights = scores.softmax(-1)) {
                return weights.matMul(v);
            }
        }
    }
}
