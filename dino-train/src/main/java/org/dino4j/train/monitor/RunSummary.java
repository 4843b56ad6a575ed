package org.dino4j.train.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How a finished run went, from the epoch records of its {@code metrics.jsonl} (so a resumed run is read whole): the
 * online k-NN at its best and at the end, and the teacher's entropy at the end against ln K. {@link #lines} is what
 * {@code dino train} prints after training; it says plainly when the run ended worse than it had been (the last online
 * k-NN more than {@link #DEGRADED_POINTS} points below the best) or with a teacher near the uniform distribution
 * (H(p_t) ≥ {@link #UNIFORM_FRACTION}·ln K) or on a few prototypes (H(p̄_t) ≤ {@link #ONE_PROTOTYPE_FRACTION}·ln K).
 *
 * @param knn         online k-NN top-1 per epoch that measured it, in order (epoch is 1-based).
 * @param lastEpoch   1-based number of the last epoch recorded (0: none).
 * @param lastEntropy H(p_t) of the last epoch (nats; NaN when no epoch was recorded).
 * @param lastMeanEntropy H(p̄_t) of the last epoch (nats; NaN when none).
 * @param lnK         ln K of the run.
 */
public record RunSummary(List<EpochKnn> knn, int lastEpoch, double lastEntropy, double lastMeanEntropy, double lnK) {
    /** Points of online k-NN lost between the best epoch and the last one that count as a degraded run. */
    public static final double DEGRADED_POINTS = 2.0;
    /** H(p_t) at or above this fraction of ln K at the end: the teacher is near uniform. */
    public static final double UNIFORM_FRACTION = 0.9;
    /** H(p̄_t) at or below this fraction of ln K at the end: the teacher uses a few prototypes only. */
    public static final double ONE_PROTOTYPE_FRACTION = 0.1;

    /** One online k-NN measurement: 1-based epoch and top-1 (fraction). */
    public record EpochKnn(int epoch, double top1) {}

    /** Copies the list. */
    public RunSummary {
        knn = List.copyOf(knn);
    }

    /**
     * Reads the epoch records of a metrics file.
     *
     * @param metrics {@code metrics.jsonl} of a run
     * @param k       K, the number of prototypes
     * @throws IOException when the file cannot be read or a line is not JSON
     */
    public static RunSummary read(Path metrics, int k) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<EpochKnn> knn = new ArrayList<>();
        int last = 0;
        double h = Double.NaN, hMean = Double.NaN;
        for (String line : Files.readAllLines(metrics)) {
            if (line.isBlank()) continue;
            JsonNode n = om.readTree(line);
            if (!"epoch".equals(n.path("type").asText())) continue;
            last = n.path("epoch").asInt() + 1;
            h = n.path("teacher_entropy").asDouble(Double.NaN);
            hMean = n.path("mean_teacher_entropy").asDouble(Double.NaN);
            JsonNode t = n.get("knn_top1");
            if (t != null && t.isNumber()) knn.add(new EpochKnn(last, t.asDouble()));
        }
        return new RunSummary(knn, last, h, hMean, Math.log(k));
    }

    /** The best online k-NN (the earliest epoch among equals), if any was measured. */
    public Optional<EpochKnn> best() {
        EpochKnn b = null;
        for (EpochKnn e : knn) if (b == null || e.top1() > b.top1()) b = e;
        return Optional.ofNullable(b);
    }

    /** The last online k-NN, if any was measured. */
    public Optional<EpochKnn> last() {
        return knn.isEmpty() ? Optional.empty() : Optional.of(knn.get(knn.size() - 1));
    }

    /** True when the last online k-NN is more than {@link #DEGRADED_POINTS} points below the best one. */
    public boolean degraded() {
        return best().isPresent() && 100 * (best().get().top1() - last().get().top1()) > DEGRADED_POINTS;
    }

    /**
     * The summary printed after training: the online k-NN (best, last), the teacher's entropies at the end, and a
     * {@code WARNING:} line for a degraded run or a collapsed teacher.
     *
     * @param finalTop1 the final evaluation's k-NN top-1 (fraction; NaN when there was none), compared with the best
     *                  online k-NN too
     */
    public List<String> lines(double finalTop1) {
        List<String> out = new ArrayList<>();
        if (lastEpoch == 0) return out;
        if (best().isPresent()) {
            EpochKnn b = best().get(), l = last().get();
            out.add(String.format(Locale.ROOT, "online k-NN: best %.2f%% (epoch %d), last %.2f%% (epoch %d)%s", 100 * b.top1(),
                    b.epoch(), 100 * l.top1(), l.epoch(), Double.isNaN(finalTop1) ? ""
                            : String.format(Locale.ROOT, "; final evaluation %.2f%%", 100 * finalTop1)));
        }
        out.add(String.format(Locale.ROOT, "teacher at the end: H(p_t) %.2f, H(mean p_t) %.2f nats (ln K = %.2f)",
                lastEntropy, lastMeanEntropy, lnK));
        if (degraded()) {
            EpochKnn b = best().get(), l = last().get();
            out.add(String.format(Locale.ROOT, "WARNING: the run degraded: its last online k-NN (%.2f%%, epoch %d) is %.1f points"
                            + " below its best (%.2f%%, epoch %d); a shorter run (--epochs %d) or a slower teacher"
                            + " (teacher.momentumTeacher closer to 1) may end better",
                    100 * l.top1(), l.epoch(), 100 * (b.top1() - l.top1()), 100 * b.top1(), b.epoch(), b.epoch()));
        }
        if (lastEntropy >= UNIFORM_FRACTION * lnK) {
            out.add(String.format(Locale.ROOT, "WARNING: the teacher ended near the uniform distribution (H(p_t) %.2f of ln K %.2f):"
                    + " its outputs carry little information", lastEntropy, lnK));
        } else if (lastMeanEntropy <= ONE_PROTOTYPE_FRACTION * lnK) {
            out.add(String.format(Locale.ROOT, "WARNING: the teacher ended on a few prototypes (H(mean p_t) %.2f of ln K %.2f)",
                    lastMeanEntropy, lnK));
        }
        return out;
    }
}
