import { ApiError } from "../errors/api-error.ts";
import type { Services } from "../services.ts";
import { isUuid } from "./params.ts";

/** 404 unless the company exists: admin routes name companies by id, and a typo must not pass. */
export const requireExistingCompany = async (services: Pick<Services, "companies">, companyId: string) => {
  if (!isUuid(companyId) || !(await services.companies.companyExists(companyId))) {
    throw new ApiError("not_found", "No such company");
  }
};
