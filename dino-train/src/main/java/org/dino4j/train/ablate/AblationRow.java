package org.dino4j.train.ablate;

import org.dino4j.train.config.DinoConfig;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code dino ablate}: full DINO, or DINO with one trick removed (Caron et al. 2021, §5.3 "Avoiding
 * collapse" and Table 7), as config overrides on the same base config.
 */
public enum AblationRow {
    /** Every trick on. */
    FULL("full", "full DINO", true),
    /** Teacher = the student's current weights after every step (momentum 0); stop-gradient kept. */
    NO_EMA("no-ema", "no EMA: teacher = current student (momentum 0), stop-gradient kept", false),
    /** The center stays 0. */
    NO_CENTERING("no-centering", "no centering: c = 0", true),
    /** τ_t = τ_s (the warm-up too). */
    NO_SHARPENING("no-sharpening", "no sharpening: τ_t = τ_s", true),
    /**
     * Multi-crop flipped: the base's local crops removed (2 global crops only) when it has some, else
     * {@value #ADDED_LOCAL_CROPS} local crops added (the base's local crop size and scales), so the row always compares
     * DINO with and without local crops. Same epochs, batch and images seen as {@link #FULL} (the row with local crops
     * costs more minutes per step; the table reports each row's minutes).
     */
    MULTICROP("multicrop", "multi-crop flipped: local crops removed if the base has some, else added", true),
    /** The teacher is the student and gradients flow through its branch (hence no EMA either). */
    NO_STOPGRAD("no-stopgrad", "no stop-gradient: teacher = student inside the gradient (so no EMA either)", false);

    /** Local crops the {@link #MULTICROP} row adds to a base that has none (the reference config's number). */
    public static final int ADDED_LOCAL_CROPS = 6;

    private final String id;
    private final String description;
    private final boolean separateTeacher;

    AblationRow(String id, String description, boolean separateTeacher) {
        this.id = id;
        this.description = description;
        this.separateTeacher = separateTeacher;
    }

    /** @return the row's name on the command line and in the outputs, e.g. {@code no-ema} */
    public String id() {
        return id;
    }

    /** @return what the row changes, in general */
    public String description() {
        return description;
    }

    /** @return what the row changes on {@code base} (for {@link #MULTICROP}: whether it removes or adds local crops) */
    public String description(DinoConfig base) {
        if (this != MULTICROP) return description;
        var c = base.data().crops();
        if (c.numLocal() > 0) {
            return String.format(java.util.Locale.ROOT, "no multi-crop: the base's %d local %d² crops removed (2 global crops only)",
                    c.numLocal(), c.local().size());
        }
        return String.format(java.util.Locale.ROOT, "+ multi-crop: %d local %d² crops (scale %s–%s) added to the base's 2 global crops",
                ADDED_LOCAL_CROPS, c.local().size(), fmt(c.local().scaleMin()), fmt(c.local().scaleMax()));
    }

    private static String fmt(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /**
     * @return true when the row has a teacher of its own (evaluated, as the paper does); false when the teacher is the
     *         student's current weights, so the student is evaluated
     */
    public boolean separateTeacher() {
        return separateTeacher;
    }

    /**
     * The config overrides of this row on top of {@code base}.
     *
     * @param base the validated base config (its τ_s is used by {@link #NO_SHARPENING})
     * @return dotted keys → values
     */
    public Map<String, String> overrides(DinoConfig base) {
        Map<String, String> o = new LinkedHashMap<>();
        switch (this) {
            case FULL -> { }
            case NO_EMA -> o.put("ablation.ema", "false");
            case NO_CENTERING -> o.put("ablation.centering", "false");
            case NO_SHARPENING -> {
                String tau = Double.toString(base.teacher().studentTemp());
                o.put("teacher.warmupTeacherTemp", tau);
                o.put("teacher.teacherTemp", tau);
            }
            case MULTICROP -> o.put("data.crops.numLocal", base.data().crops().numLocal() > 0 ? "0" : Integer.toString(ADDED_LOCAL_CROPS));
            case NO_STOPGRAD -> {
                o.put("ablation.ema", "false");
                o.put("ablation.stopGradient", "false");
            }
            default -> throw new IllegalStateException(id);
        }
        return o;
    }

    /**
     * Parses a comma-separated list of row names (null or empty: every row, in the declared order); the earlier name
     * {@code no-multicrop} is read as {@link #MULTICROP}.
     *
     * @throws IllegalArgumentException naming the unknown row and the accepted names
     */
    public static List<AblationRow> parse(List<String> names) {
        if (names == null || names.isEmpty()) return List.of(values());
        java.util.Set<AblationRow> chosen = new java.util.LinkedHashSet<>();
        for (String n : names) {
            String t = n.trim().equals("no-multicrop") ? MULTICROP.id : n.trim();
            AblationRow r = Arrays.stream(values()).filter(v -> v.id.equals(t)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("--only must name rows among " + Arrays.stream(values()).map(AblationRow::id).toList()
                            + ", got \"" + t + "\""));
            chosen.add(r);
        }
        return List.copyOf(chosen);
    }
}
