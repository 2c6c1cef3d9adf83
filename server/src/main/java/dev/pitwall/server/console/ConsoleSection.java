package dev.pitwall.server.console;

/**
 * A top-level area of the console and what it shows while it has nothing to show yet.
 *
 * @param path       where the page is served
 * @param title      navigation label and page heading
 * @param summary    one sentence on what the area is for
 * @param emptyTitle the empty state's heading
 * @param emptyText  the empty state's explanation
 * @param template   the page's JTE template
 */
public record ConsoleSection(String path, String title, String summary, String emptyTitle, String emptyText,
                             String template) {
}
