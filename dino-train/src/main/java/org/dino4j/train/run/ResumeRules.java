package org.dino4j.train.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.dino4j.train.config.DinoConfig;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a resumed run may change. A checkpoint's state (weights, AdamW moments, center, step position) means
 * something only under the config that produced it: the model, the crops, the batch size, the optimizer and
 * teacher settings, the schedules' length and the seed define what each step did and what the next one does.
 * Those settings are fixed once a run has started; a resume may change only what does not change a step:
 * {@link #SAFE} (threads, checkpoint and logging cadence, the online k-NN, the loader's worker count) and
 * {@code run.epochs} upwards ("continue and extend"; in an ablation the budget of every row must stay equal). The
 * data's settings ({@link #DATA}: source, synthetic size, training-set budget, held-out count) may change only when
 * the training images stay the same, which {@link DataIdentity} checks (e.g. more held-out queries from a separate
 * test set, or the same images moved to another folder).
 */
public final class ResumeRules {
    /** Keys a resume may change freely. */
    public static final Set<String> SAFE = Set.of("run.threads", "run.checkpointEveryIters", "run.keepCheckpoints",
            "run.knnEveryEpochs", "run.knnK", "run.knnTemperature", "run.gcEveryIters", "run.logEveryIters",
            "data.workers");
    /** Keys that may change only when the training images stay the same (count and fingerprint). */
    public static final Set<String> DATA = Set.of("data.source", "data.syntheticSize", "data.trainLimit", "data.heldOut");
    /** The epochs key. */
    public static final String EPOCHS = "run.epochs";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ResumeRules() {}

    /**
     * Checks a resume's config against the run's.
     *
     * @param run           the config the run's checkpoint was written with.
     * @param next          the config asked for now.
     * @param epochsMayGrow true for {@code dino train --resume}; false in an ablation, where rows share one budget.
     * @param who           how the message starts, e.g. {@code "--resume"} or {@code "ablate --resume: row full"}.
     * @param newRun        how to start a new run instead, e.g. {@code "start a new run with --out NEW_DIR, without --resume"}.
     * @return the {@link #DATA} keys that differ, {@code key: old -> new}, for the data identity check's message
     * @throws IllegalArgumentException one line naming the first key that may not change, its two values and
     *                                  {@code newRun}
     */
    public static List<String> check(DinoConfig run, DinoConfig next, boolean epochsMayGrow, String who, String newRun) {
        Map<String, JsonNode> a = flatten(run), b = flatten(next);
        List<String> data = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : a.entrySet()) {
            String key = e.getKey();
            JsonNode old = e.getValue(), now = b.get(key);
            if (old.equals(now) || SAFE.contains(key)) continue;
            if (DATA.contains(key)) {
                data.add(key + " " + text(old) + " -> " + text(now));
                continue;
            }
            if (key.equals(EPOCHS) && epochsMayGrow) {
                if (now.asInt() >= old.asInt()) continue;
                throw new IllegalArgumentException(who + " cannot lower run.epochs (the run has " + text(old) + ", asked for "
                        + text(now) + "): the learning-rate, weight-decay and teacher schedules span all epochs; keep "
                        + text(old) + " or more, or " + newRun);
            }
            throw new IllegalArgumentException(who + " cannot change " + key + " (the run has " + text(old) + ", asked for "
                    + text(now) + "): it changes what a training step means; " + newRun);
        }
        return data;
    }

    /** The config as dotted keys → values (leaves only). */
    static Map<String, JsonNode> flatten(DinoConfig c) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        flatten(JSON.valueToTree(c), "", out);
        return out;
    }

    private static void flatten(JsonNode n, String prefix, Map<String, JsonNode> out) {
        if (n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
            }
        } else {
            out.put(prefix, n);
        }
    }

    private static String text(JsonNode n) {
        if (n == null) return "nothing";
        return n.isTextual() ? n.asText() : n.toString();
    }
}
