package dev.pitwall.acceptance.campaign;

import dev.pitwall.acceptance.verdict.Finding;

/**
 * A finding of a campaign: when and in which stage it was made ({@link #TRENDS} for what only the
 * rounds together show), and the outputs it rests on.
 *
 * @param evidence the output folder or file, relative to the campaign's folder, and for a trend
 *                 the rounds it spans
 */
public record CampaignFinding(int round, String stage, Finding finding, String evidence) {

    /** The stage name of findings made across rounds. */
    public static final String TRENDS = "trends";
}
