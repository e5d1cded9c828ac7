package io.slipway.backbone.rebuild;

import java.util.List;

/**
 * What a rebuild found: per read model, what its topic held and how it applied; per table, the rows only the live side
 * has, only the rebuilt side has, and the columns that differ (the first {@link TableComparison#LISTED} of each kind,
 * with their counts); whether everything is identical, and whether the rebuilt rows were swapped in.
 */
public record RebuildReport(String service, List<Model> models, List<Table> tables, boolean identical, boolean swapped) {

    public record Model(String name, String topic, String group, long records, long applied, long duplicates, long skipped,
                        List<String> failures) {
    }

    public record Table(String table, int liveRows, int rebuiltRows, int onlyLiveCount, List<String> onlyLive, int onlyRebuiltCount,
                        List<String> onlyRebuilt, int differingCount, List<String> differing) {
        public boolean identical() {
            return onlyLiveCount == 0 && onlyRebuiltCount == 0 && differingCount == 0;
        }
    }
}
