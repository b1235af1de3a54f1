/** Entry point: one set of services for this tab, the router, the styles. */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider, createBrowserRouter } from "react-router";

import { routes } from "./routes";
import { ServicesProvider, createServices } from "./services";
import "./styles.css";

const services = createServices();
const router = createBrowserRouter(routes);
const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <ServicesProvider services={services}>
      <RouterProvider router={router} />
    </ServicesProvider>
  </StrictMode>,
);
