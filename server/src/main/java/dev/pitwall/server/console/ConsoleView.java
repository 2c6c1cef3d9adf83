package dev.pitwall.server.console;

import java.util.List;

/** What every console page's layout needs: its title, the navigation and asset versions. */
public record ConsoleView(String title, List<NavItem> navigation, String version, String uplotVersion) {

    /** Names shown in a table cell before the rest are counted. */
    public static final int NAMES_SHOWN = 5;

    /** One entry of the top navigation; {@code active} marks the page being shown. */
    public record NavItem(String path, String label, boolean active) {
    }

    /** "gpu-a01, gpu-a02, gpu-a03, gpu-a04, gpu-a05 +59 more": a long list kept to one line of a table. */
    public static String someOf(List<String> names) {
        String shown = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())));
        return names.size() > NAMES_SHOWN ? shown + " +" + (names.size() - NAMES_SHOWN) + " more" : shown;
    }
}
