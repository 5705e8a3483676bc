// Loaded with <script type="module">: browsers without ES modules get the
// no-JavaScript experience, which every page supports.
import { initAll } from "./govuk-frontend.min.js";

initAll();
